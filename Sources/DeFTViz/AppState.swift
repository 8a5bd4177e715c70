import DeFT
import DeFTEval
import DeFTMedia

/// A sample with its pipeline result, ready to draw.
public struct ScoredSample: Sendable {
    public let sample: LoadedSample
    public let scores: TokenScores
    /// `WeightsOrigin.description`: "trained file X" or "untrained, seed S".
    public let weights: String
    /// Where the feedback signal's ∂L/∂z came from ("reconstruct", "classify, label 3", "bundle"); nil without one.
    public let feedbackSource: String?
    /// DeFT beside every baseline, with fidelity at any ratio (nil when it was not built).
    public let comparison: Comparison?
    public init(sample: LoadedSample, scores: TokenScores, weights: String, feedbackSource: String? = nil,
                comparison: Comparison? = nil) {
        self.sample = sample; self.scores = scores; self.weights = weights; self.feedbackSource = feedbackSource
        self.comparison = comparison
    }
}

/// A sample slot: loaded lazily so start-up scores only the first.
public enum SampleEntry: Sendable {
    case pending(name: String, path: String)
    case ready(ScoredSample)
    case failed(name: String, message: String)

    public var name: String {
        switch self {
        case .pending(let n, _), .failed(let n, _): return n
        case .ready(let s): return s.sample.name
        }
    }
}

/// Side effects `update` asks the run loop for.
public enum Command: Equatable, Sendable {
    case quit
    case load(sampleIndex: Int)
    /// Write the current view as a figure (the run loop knows the input's path).
    case export
}

/// Everything the screen shows, as a value. `update` changes it; `view` draws it.
public struct AppState: Sendable {
    public var samples: [SampleEntry]
    public var current: Int
    public var ratio: Double = 0.482
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
