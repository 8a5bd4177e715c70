import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain

/// A sample with its pipeline result, ready to draw.
public struct ScoredSample: Sendable {
    public let sample: LoadedSample
    public let scores: TokenScores
    /// DeFT's semantic vectors z (N × d′): ToMe's metric, kept so the comparison can be built later.
    public let semantic: Matrix
    /// `WeightsOrigin.description`: "trained file X" or "untrained, seed S".
    public let weights: String
    public let feedbackSource: FeedbackSource
    /// DeFT beside every baseline, with fidelity at any ratio: nil until first asked for.
    public var comparison: Comparison?
    /// The head's answer (a reader or classify head beside the weights), nil without a head.
    public var answers: HeadAnswers?
    /// The bundle's precomputed accuracy curve, which `g` draws instead of the fidelity curves.
    public var accuracyCurve: AccuracyCurve?

    public init(sample: LoadedSample, scores: TokenScores, semantic: Matrix, weights: String,
                feedbackSource: FeedbackSource, comparison: Comparison? = nil) {
        self.sample = sample; self.scores = scores; self.semantic = semantic; self.weights = weights
        self.feedbackSource = feedbackSource; self.comparison = comparison
    }
}

/// A sample slot: loaded lazily so start-up scores only the first.
public enum SampleEntry: Sendable {
    case pending(name: String, path: String)
    /// Its `.load` command is out; the result comes back as an event.
    case loading(name: String, path: String)
    case ready(ScoredSample)
    case failed(name: String, message: String)

    public var name: String {
        switch self {
        case .pending(let n, _), .loading(let n, _), .failed(let n, _): return n
        case .ready(let s): return s.sample.name
        }
    }
}
