import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

/// Opens a sample and scores it through the one scoring service: what the run loop does on a
/// `.load` command, and what `deft eval curve` and the snapshot do directly.
public enum SampleScorer {
    /// What the user chose on the command line.
    public struct Options: Sendable {
        public var load = LoadOptions()
        public var weights: String?
        public var seed: UInt64 = 0
        public var feedback = FeedbackRequest()
        /// Cosine that counts a token as covered by its stand-in (fidelity).
        public var threshold: Float = Comparison.defaultThreshold
        /// How text finds each token's neighbours.
        public var neighbours = NeighbourSearch.auto
        public init() {}
    }

    public static func score(_ path: String, options: Options = .init()) throws -> ScoredSample {
        try score(sample: SampleLoader.load(path, options: options.load), source: path, options: options)
    }

    /// A text typed in the viewer, encoded by all-MiniLM-L6-v2: the quickest way to see DeFT on real tokens.
    public static func score(typed text: String, name: String, options: Options = .init()) throws -> ScoredSample {
        var load = options.load
        load.encoder.name = .miniLML6
        return try score(sample: SampleLoader.typed(text, name: name, options: load), source: "the typed text", options: options)
    }

    static func score(sample: LoadedSample, source path: String, options: Options) throws -> ScoredSample {
        let x = sample.tokenSet.tokens
        let service = try ScoringService(weights: options.weights ?? sample.weightsPath, tokenDim: x.cols,
                                         seed: options.seed, source: path)
        // The inspector shows reconstruction errors and the mode can change at any time: ask for them.
        let outcome = try service.score(tokens: x, batch: 1, layout: sample.tokenSet.layout, feedback: options.feedback,
                                        bundleGradient: sample.gradient, logits: sample.logits, reconstruction: true,
                                        neighbours: options.neighbours)
        var scored = ScoredSample(sample: sample, scores: outcome.rows[0], semantic: outcome.forward.z,
                                  weights: shortOrigin(service.model.origin), feedbackSource: outcome.feedbackSource)
        scored.answers = service.head.map { HeadAnswers(head: $0, model: service.model, tokens: x, semantic: outcome.forward.z) }
        scored.accuracyCurve = try sample.curvePath.map(AccuracyCurve.load)
        return scored
    }

    /// DeFT beside every baseline for a scored sample: built on first use (`b`, `g`, `--compare`,
    /// `--curves`, `eval curve`), never on the way to the first frame.
    public static func comparison(_ scored: ScoredSample, options: Options = .init()) -> Comparison {
        Comparison(tokens: scored.sample.tokenSet.tokens, semantic: scored.semantic, scores: scored.scores,
                   seed: options.seed, threshold: options.threshold)
    }

    /// The weights' origin in a few words for the status line: the file's name, not its path.
    static func shortOrigin(_ origin: WeightsOrigin) -> String {
        guard case .trained(let path) = origin else { return origin.description }
        return "trained " + (path as NSString).lastPathComponent
    }
}
