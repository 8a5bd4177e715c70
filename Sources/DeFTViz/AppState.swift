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
    public var showHelp = false
    /// Digits of a ratio being typed (percent), nil when not typing.
    public var typedRatio: String?
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
    public var selection: Selection? { scored?.scores.selection(ratio: ratio, mode: mode) }

    /// What the language model would pay to read what reaches it: the kept tokens, and in hybrid
    /// the restored ones too.
    func costEstimate(_ selection: Selection) -> CostEstimate {
        cost.estimate(visual: selection.isKept.count, kept: selection.k + selection.reconstructed.count)
    }

    public mutating func install(_ scored: ScoredSample, at index: Int) {
        guard samples.indices.contains(index) else { return }
        samples[index] = .ready(scored)
        if index == current { cursor = min(cursor, scored.scores.count - 1) }
    }

    public mutating func markFailed(_ index: Int, message: String) {
        guard samples.indices.contains(index) else { return }
        samples[index] = .failed(name: samples[index].name, message: message)
        if index == current { note = message }
    }

    /// True only while something animates (the tour): idle means no ticks and no CPU.
    public var wantsTicks: Bool { tour != nil }

    public mutating func startTour() { tour = Tour() }
}
