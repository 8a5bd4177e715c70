import DeFT
import DeFTEval
import DeFTMedia
import Foundation

/// What to export beyond what the viewer's state already says.
public struct FigureOptions: Sendable {
    /// Several keep ratios as a row of panels (nil: the state's ratio).
    public var ratios: [Double]?
    /// A thin line on every patch boundary.
    public var gridLines = false
    public init(ratios: [Double]? = nil, gridLines: Bool = false) { self.ratios = ratios; self.gridLines = gridLines }
}

/// One panel of a figure: one method's cut at one ratio.
public struct FigurePanel: Sendable {
    public let method: Method
    public let ratio: Double
    public let k: Int
    /// The path DeFT took (adaptive resolves to fast or hybrid); baselines are always fast.
    public let path: InferenceMode
    public let isKept: [Bool]
    public let isReconstructed: [Bool]
    /// ToMe only: the token whose slot carries token i.
    public let anchor: [Int]?
    /// "keep 48.2 % = 277 of 576".
    public let keepLabel: String
    /// The keep label, after the method's name when a figure shows more than one method.
    public let title: String

    /// Dropped and not carried by anything: not kept, not restored, not merged into another token.
    public func isPruned(_ i: Int) -> Bool { !isKept[i] && !isReconstructed[i] && !isMerged(i) }
    public func isMerged(_ i: Int) -> Bool { !isKept[i] && anchor.map { $0[i] != i } ?? false }

    /// Kept tokens per frame (video strips label each frame with it).
    public func keptPerFrame(_ layout: TokenLayout) -> [Int] {
        let per = max(layout.tokensPerFrame, 1)
        return (0..<layout.frames).map { t in isKept[(t * per)..<min((t + 1) * per, isKept.count)].filter { $0 }.count }
    }
}

/// Everything a figure draws, derived from a scored sample and the viewer's state: the PNG, the SVG
/// and the JSON sidecar are all written from this one value, so they cannot disagree.
public struct FigureModel: Sendable {
    public let input: String
    public let sampleName: String
    public let features: String
    public let weights: String
    public let feedbackSource: String?
    public let media: Media?
    public let scores: TokenScores
    public let mode: InferenceMode
    public let channel: Channel
    public let overlay: Bool
    public let gridLines: Bool
    public let values: ChannelValues
    /// Row-major: one row per method, one column per ratio (a single ratio puts the methods side by side).
    public let panels: [FigurePanel]
    public let columns: Int

    public var layout: TokenLayout { scores.layout }

    /// The pictures under the patches: one for an image, the frames of a video, none for text.
    public var frames: [RGBImage] {
        switch media {
        case .image(let img)?: return [img]
        case .video(let f)?: return f
        default: return []
        }
    }

    /// `input` is the path the sample was opened from (the sidecar records it).
    public init(scored: ScoredSample, state: AppState, input: String, options: FigureOptions = .init()) {
        self.input = input.figureSafe
        sampleName = scored.sample.name.figureSafe
        features = scored.sample.tokenSet.featureOrigin.figureSafe
        weights = scored.weights.figureSafe
        feedbackSource = scored.scores.hasFeedback ? scored.feedbackSource.description.figureSafe : nil
        media = scored.sample.media
        scores = scored.scores
        mode = state.effectiveMode
        channel = state.channel
        overlay = state.overlay
        gridLines = options.gridLines
        values = ChannelValues(state.channel.values(scored.scores))
        let ratios = options.ratios ?? [state.ratio]
        var methods: [Method] = [.deft]
        if let b = state.baseline, scored.comparison != nil { methods.append(b) }
        let n = scored.scores.count
        panels = methods.flatMap { m in
            ratios.map { r in Self.panel(m, ratio: r, mode: state.effectiveMode, scored: scored, named: methods.count > 1, tokens: n) }
        }
        columns = scored.scores.layout.modality == .video ? 1 : (ratios.count > 1 ? ratios.count : methods.count)
    }

    private static func panel(_ m: Method, ratio: Double, mode: InferenceMode, scored: ScoredSample, named: Bool, tokens n: Int) -> FigurePanel {
        let keep = "keep \(String(format: "%.1f", ratio * 100)) % = \(TokenScores.keepCount(ratio: ratio, tokens: n)) of \(n)"
        let title = named ? "\(m.title): \(keep)" : keep
        if m == .deft {
            let sel = scored.scores.selection(ratio: ratio, mode: mode)
            var rec = [Bool](repeating: false, count: n)
            for i in sel.reconstructed { rec[i] = true }
            return FigurePanel(method: m, ratio: ratio, k: sel.k, path: sel.path, isKept: sel.isKept, isReconstructed: rec,
                               anchor: nil, keepLabel: keep, title: title)
        }
        let red = scored.comparison!.reduction(m, ratio: ratio)
        return FigurePanel(method: m, ratio: ratio, k: red.k, path: .fast, isKept: red.isKept,
                           isReconstructed: [Bool](repeating: false, count: n), anchor: red.anchor, keepLabel: keep, title: title)
    }

    /// The heatmap (and its colour bar) is drawn when the overlay is on, and always for text, whose
    /// tokens have no pixels of their own.
    public var showsColourBar: Bool { overlay || layout.modality == .text }

    static func number(_ v: Float) -> String { String(format: "%.3f", v) }

    /// The caption, one entry a line: what a reader needs to trace the figure.
    public var caption: [String] {
        var lines = ["\(sampleName) (\(input))",
                     "features: \(features); weights: \(weights)" + (feedbackSource.map { "; feedback: \($0)" } ?? "")]
        let modeText = mode == .adaptive ? "adaptive -> \(panels.first?.path.rawValue ?? "fast")" : mode.rawValue
        lines.append(panels.map { "\($0.method.title) \($0.keepLabel)" }.joined(separator: "; ") + "; mode \(modeText)")
        if layout.modality == .video {
            for p in panels {
                lines.append("kept per frame, \(p.method.title) \(p.keepLabel): "
                             + p.keptPerFrame(layout).enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: ", ")
                             + " of \(layout.tokensPerFrame)")
            }
        }
        if showsColourBar {
            lines.append("colour: \(channel.title), viridis from \(Self.number(values.low)) (dark) to \(Self.number(values.high)) (bright)")
        }
        var legend = layout.modality == .text ? "pruned tokens faded and struck through" : "pruned patches dimmed and hatched"
        if panels.contains(where: { $0.isReconstructed.contains(true) }) { legend += "; reconstructed (hybrid) outlined in violet" }
        if panels.contains(where: { $0.anchor != nil }) { legend += "; ToMe merge groups tinted alike" }
        lines.append(legend)
        return lines
    }
}

extension FigureModel {
    /// The viewer's colouring for a panel (heatmap blend, pruned dimming, reconstructed tint, ToMe
    /// group tints), without a cursor: a figure has no cursor.
    func paint(_ panel: FigurePanel) -> TokenPaint {
        var paint = TokenPaint(values: values, isKept: panel.isKept, isReconstructed: panel.isReconstructed,
                               cursor: -1, neighbours: [], overlay: overlay)
        if let anchor = panel.anchor {
            let sizes = anchor.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            paint.groupColour = anchor.map { sizes[$0, default: 1] > 1 ? groupHue($0) : nil }
        }
        return paint
    }
}
