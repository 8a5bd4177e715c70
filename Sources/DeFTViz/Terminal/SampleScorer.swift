import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

/// Loading and scoring: the side effect behind `Command.load`.
public enum SampleScorer {
    /// Weights options the user gave on the command line.
    public struct Options: Sendable {
        public var load = LoadOptions()
        public var weights: String?
        public var seed: UInt64 = 0
        /// Cosine that counts a token as covered by its stand-in (fidelity).
        public var threshold: Float = Comparison.defaultThreshold
        public init() {}
    }

    public static func score(_ path: String, options: Options = .init()) throws -> ScoredSample {
        let sample = try SampleLoader.load(path, options: options.load)
        let d = sample.tokenSet.tokens.cols
        let model: DeFTModel
        if let w = options.weights ?? sample.weightsPath {
            model = try DeFTModel(safetensors: w)
            guard model.config.tokenDim == d else {
                throw DeFTError(path, "its tokens have width d=\(d) but \(w) expects d=\(model.config.tokenDim)")
            }
        } else {
            model = DeFTModel(untrained: DeFTConfig(tokenDim: d), seed: options.seed)
        }
        let x = sample.tokenSet.tokens
        let z = DeFTPipeline.semantic(model, x)
        let (feedback, source) = try Self.feedback(model: model, sample: sample, z: z, weights: options.weights ?? sample.weightsPath)
        let scores = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: sample.tokenSet.layout,
                                            feedback: feedback, logits: sample.logits)[0]
        let comparison = Comparison(tokens: x, semantic: z, scores: scores, seed: options.seed, threshold: options.threshold)
        return ScoredSample(sample: sample, scores: scores, weights: Self.shortOrigin(model.origin), feedbackSource: source,
                            comparison: comparison)
    }

    /// The weights' origin in a few words for the status line: the file's name, not its path.
    static func shortOrigin(_ origin: WeightsOrigin) -> String {
        guard case .trained(let path) = origin else { return origin.description }
        return "trained " + (path as NSString).lastPathComponent
    }

    /// The feedback channel's ∂L/∂z: a bundle's own gradient; else the classify objective when the
    /// weights have a head and the sample a label; else the label-free reconstruct objective.
    /// A head that is present but unreadable is an error, not a silent fall-back.
    static func feedback(model: DeFTModel, sample: LoadedSample, z: Matrix, weights: String?) throws -> (Matrix?, String) {
        if let g = sample.gradient { return (g, "bundle") }
        let x = sample.tokenSet.tokens
        if let weights, let label = sample.label,
           FileManager.default.fileExists(atPath: Checkpoint.companion(weights, ".head.safetensors")) {
            let head = try Checkpoint.loadHead(beside: weights)
            guard label >= 0, label < head.classes else {
                throw DeFTError(sample.name, "label \(label) is outside the head's \(head.classes) classes")
            }
            return (TaskFeedback.gradient(head, z: z, tokens: x, batch: 1, labels: [label]).gradient, "classify, label \(label)")
        }
        return (TaskFeedback.gradient(ReconstructObjective(), z: z, tokens: x, batch: 1, labels: nil).gradient, "reconstruct")
    }
}
