import DeFT
import DeFTMedia

/// Loading and scoring: the side effect behind `Command.load`.
public enum SampleScorer {
    /// Weights options the user gave on the command line.
    public struct Options: Sendable {
        public var load = LoadOptions()
        public var weights: String?
        public var seed: UInt64 = 0
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
        let scores = try DeFTPipeline.score(model, tokens: sample.tokenSet.tokens, batch: 1, layout: sample.tokenSet.layout,
                                            feedback: sample.gradient, logits: sample.logits)[0]
        return ScoredSample(sample: sample, scores: scores, weights: model.origin.description)
    }
}
