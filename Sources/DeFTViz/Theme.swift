import DeFT
import DeFTEval

/// The viewer's fixed colours, and the rule that no colour at all is drawn under NO_COLOR.
struct Theme {
    let depth: ColorDepth
    let unicode: Bool
    /// The block glyphs images are drawn with (with colour and Unicode).
    var symbols = CellSymbols.standard

    static let text = RGB(225, 225, 225)
    static let muted = RGB(140, 140, 140)
    static let accent = RGB(255, 200, 60)
    static let kept = RGB(120, 220, 130)
    static let pruned = RGB(235, 110, 100)
    static let reconstructed = RGB(190, 140, 255)
    static let cursor = RGB(255, 225, 0)
    static let neighbour = RGB(80, 210, 255)
    static let bar = RGB(40, 44, 52)
    /// The pruned hatch over dark and over light pixels.
    static let hatchLight = RGB(150, 150, 150)
    static let hatchDark = RGB(20, 20, 20)
    /// Tokens DeFT and the compared baseline treat differently.
    static let disagree = RGB(255, 80, 200)

    var colour: Bool { depth != .none }
    /// `c`, or nil when the terminal shows no colour.
    func c(_ rgb: RGB) -> RGB? { colour ? rgb : nil }

    var half: Character { unicode ? "▀" : " " }
    var bullet: Character { unicode ? "·" : "." }
    var rule: Character { unicode ? "│" : "|" }
    var ellipsis: String { unicode ? "…" : "..." }
    /// The hatch drawn over pruned patches, so pruned reads without colour differences.
    var prunedMark: Character { unicode ? "╱" : "/" }
}

/// What the canvases need to colour token i.
struct TokenPaint {
    let values: ChannelValues
    let isKept: [Bool]
    let isReconstructed: [Bool]
    private(set) var cursor: Int
    private(set) var neighbours: Set<Int>
    let overlay: Bool
    /// Compare view: tokens the other side treats differently (outlined), and ToMe's merge-group
    /// colour per token (nil: not merged with anything).
    var disagree: [Bool] = []
    var groupColour: [RGB?] = []

    init(scores: DeFT.TokenScores, selection: DeFT.Selection, channel: Channel, cursor: Int, overlay: Bool) {
        var rec = [Bool](repeating: false, count: scores.count)
        for i in selection.reconstructed { rec[i] = true }
        self.init(values: ChannelValues(channel.values(scores)), isKept: selection.isKept, isReconstructed: rec,
                  cursor: cursor, neighbours: Set(scores.neighbours(of: min(max(cursor, 0), max(scores.count - 1, 0)))),
                  overlay: overlay)
    }

    init(values: ChannelValues, isKept: [Bool], isReconstructed: [Bool], cursor: Int, neighbours: Set<Int>, overlay: Bool) {
        self.values = values; self.isKept = isKept; self.isReconstructed = isReconstructed
        self.cursor = cursor; self.neighbours = neighbours; self.overlay = overlay
    }

    /// A printed frame without colour or attributes: marks must be glyphs.
    var plainPrint = false

    /// A printed frame shows no cursor: nothing is being pointed at.
    mutating func hideCursor() { cursor = -1; neighbours = [] }

    func disagrees(_ i: Int) -> Bool { disagree.indices.contains(i) && disagree[i] }
    func group(_ i: Int) -> RGB? { groupColour.indices.contains(i) ? groupColour[i] : nil }

    /// A pixel of token i: the heatmap blended in when the overlay is on, dimmed when pruned, tinted
    /// when brought back by the recoverable dictionary, or by its merge group's colour under ToMe.
    func pixel(_ base: RGB, token i: Int) -> RGB {
        var c = overlay ? base.mixed(ColorMap.viridis(values.unit(i)), 0.65) : base
        if let g = group(i) { return c.mixed(g, 0.5) }
        if !isKept[i] {
            c = isReconstructed[i] ? c.pruned.scaled(1.6).mixed(Theme.reconstructed, 0.35) : c.pruned
        }
        return c
    }
}

/// Colours of the baselines' curves (DeFT is the accent colour).
let methodColours: [Method: RGB] = [
    .deft: Theme.accent, .saliency: RGB(120, 200, 255), .norm: RGB(160, 220, 120),
    .random: RGB(170, 170, 170), .uniform: RGB(255, 150, 90), .tome: RGB(210, 140, 255),
]
