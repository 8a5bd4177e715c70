import DeFT
import DeFTEval
import DeFTMedia

/// Side effects `update` asks the run loop for.
public enum Command: Equatable, Sendable {
    case quit
    /// Open and score sample i; answered by `Event.loaded`.
    case load(sampleIndex: Int)
    /// Build sample i's comparison with the baselines; answered by `Event.compared`.
    case compare(sampleIndex: Int)
    /// Encode and score a typed text as sample i; answered by `Event.loaded`.
    case scoreText(sampleIndex: Int, text: String)
    /// Write the current view as a figure (the run loop knows the input's path).
    case export
}

/// Everything the screen shows, as a value. `update` changes it; `view` draws it.
public struct AppState: Sendable {
    public var samples: [SampleEntry]
    public var current: Int
    public var ratio: Double = DeFTConfig.paperRatio
    public var mode: InferenceMode = .fast
    public var channel: Channel = .combined
    public var overlay = false
    public var cursor = 0
    public var width: Int
    public var height: Int
    public var depth: ColorDepth
    public var unicode: Bool
    /// The block glyphs images are drawn with.
    public var symbols = CellSymbols.standard
    /// How the terminal draws the image canvas: in kitty or sixel pixels the view leaves its cells blank.
    public var pixels: GraphicsProtocol = .cells
    public var showHelp = false
    /// A printed frame (`--snapshot`): no keys to list and no cursor to show.
    public var snapshot = false
    /// Ticks while the current sample loads: the loading screen's spinner.
    public var loadingTicks = 0
    /// The help's page (it pages rather than cut lines on a short terminal).
    public var helpPage = 0
    /// A keep ratio being typed (a fraction, or a percent ending in %), nil when not typing.
    public var typedRatio: String?
    /// A text being typed for the encoder (`t`), nil when the prompt is closed.
    public var typedText: String?
    public var tour: Tour?
    /// The baseline drawn beside DeFT at the same ratio (nil: DeFT alone).
    public var baseline: Method?
    /// The retention-curve plot over the canvas.
    public var showCurves = false
    /// The language model whose cost the status line estimates.
    public var cost = CostModel(model: .llava7B, textTokens: 64)
    /// Samples whose comparison is being built.
    public var comparing: Set<Int> = []
    /// A one-line note for the user (a failed load, a typed value out of range).
    public var note: String?

    public init(samples: [SampleEntry], current: Int = 0, width: Int, height: Int, depth: ColorDepth, unicode: Bool) {
        self.samples = samples
        self.current = min(max(current, 0), max(samples.count - 1, 0))
        self.width = width; self.height = height; self.depth = depth; self.unicode = unicode
    }

    public var scored: ScoredSample? {
        guard samples.indices.contains(current), case .ready(let s) = samples[current] else { return nil }
        return s
    }

    /// The selection at the current ratio and mode: a re-selection from the cached ranking.
    public var selection: Selection? { scored?.scores.selection(ratio: ratio, mode: effectiveMode, perFrame: perFrameBudget) }

    /// Video: split the budget evenly over the frames instead of one top-k over the whole clip.
    public var perFrameBudget = false

    /// Why hybrid and adaptive cannot run on the current sample, or nil when they can. Without the
    /// gate's logits the reference brings every pruned token back, which would show 100 % "restored"
    /// and 100 % cost: the viewer shows fast instead and says so.
    public var gateUnavailable: String? {
        guard let s = scored?.scores else { return nil }
        if s.gate == nil { return "no logits for the reconstruction gate (a classifier head beside the weights, or the bundle's logits)" }
        if !s.canReconstruct { return "the weights have no recoverable token dictionary" }
        return nil
    }

    /// The mode the current sample is drawn in: the chosen one, or fast when it needs a gate it lacks.
    public var effectiveMode: InferenceMode { gateUnavailable == nil ? mode : .fast }

    /// What the language model would pay to read what reaches it: the kept tokens, and in hybrid
    /// the restored ones too.
    func costEstimate(_ selection: Selection) -> CostEstimate {
        cost.estimate(visual: selection.isKept.count, kept: selection.k + selection.reconstructed.count)
    }

    public mutating func install(_ scored: ScoredSample, at index: Int) {
        guard samples.indices.contains(index) else { return }
        samples[index] = .ready(scored)
        // The cursor starts on the token DeFT ranks first: the inspector opens on a reason to keep.
        if index == current { cursor = scored.scores.ranking.first ?? 0 }
    }

    public mutating func markFailed(_ index: Int, message: String) {
        guard samples.indices.contains(index) else { return }
        samples[index] = .failed(name: samples[index].name, message: message)
        if index == current { note = message }
    }

    /// True only while something animates (the tour): idle means no ticks and no CPU.
    public var wantsTicks: Bool {
        if tour != nil { return true }
        if case .loading? = samples[safe: current] { return true }
        return false
    }

    public mutating func startTour() { tour = Tour() }
}
