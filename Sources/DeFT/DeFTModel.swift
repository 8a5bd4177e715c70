import Foundation

/// The shapes and hyper-parameters of one DeFT module (the reference's constructor arguments).
public struct DeFTConfig: Sendable, Equatable, Codable {
    /// The paper's headline keep ratio (99.5 % of accuracy at 48.2 % of the tokens): every default ratio.
    public static let paperRatio = 0.482

    public var tokenDim: Int
    public var semanticDim: Int = 512
    public var retentionRatio: Double = DeFTConfig.paperRatio
    public var enableRTD: Bool = true
    public var alphaVar: Float = 0.1
    public var bottleneckRatio: Int = 4

    public init(tokenDim: Int, semanticDim: Int = 512, retentionRatio: Double = DeFTConfig.paperRatio,
                enableRTD: Bool = true, alphaVar: Float = 0.1, bottleneckRatio: Int = 4) {
        self.tokenDim = tokenDim; self.semanticDim = semanticDim; self.retentionRatio = retentionRatio
        self.enableRTD = enableRTD; self.alphaVar = alphaVar; self.bottleneckRatio = bottleneckRatio
    }

    /// d / r, as the reference computes it (integer division).
    /// At least 1: a ratio above d (from a config) would otherwise build a zero-width layer.
    public var bottleneckDim: Int { max(1, tokenDim / max(bottleneckRatio, 1)) }
}

/// Where a model's parameters came from; every output states it.
public enum WeightsOrigin: Sendable, Equatable {
    case trained(path: String)
    case untrained(seed: UInt64)

    public var description: String {
        switch self {
        case .trained(let path): return "trained file \(path)"
        case .untrained(let seed): return "untrained, seed \(seed)"
        }
    }
}

/// The recoverable token dictionary's autoencoder (DeFT.md §4).
public struct RTDWeights: Sendable, Equatable {
    public var encoder1: Linear   // d → d/r
    public var encoder2: Linear   // d/r → d/r
    public var decoder1: Linear   // d/r → d/r
    public var decoder2: Linear   // d/r → d
}

/// All parameters of a DeFT module, named after the reference's state_dict (DeFT.md §6).
public struct DeFTModel: Sendable, Equatable {
    public var config: DeFTConfig
    public var origin: WeightsOrigin

    public var sam1: Linear            // sam.mlp.0: d → d'
    public var sam2: Linear            // sam.mlp.2: d' → d'
    public var score1: Linear          // scoring.mlp_score.0: d' → d'
    public var score2: Linear          // scoring.mlp_score.2: d' → d'
    public var score3: Linear          // scoring.mlp_score.4: d' → 1
    public var mixtureLogits: [Float]  // scoring.mixture_logits (θ)
    /// The gate over `[z, u, c]` (width d'+2). Loaded from `rtd.reconstruct_gate.0` when that has
    /// width d'+2, else from `scoring.reconstruct_gate.0` (DeFT.md §5.2).
    public var gate: Linear
    public var rtd: RTDWeights?

    public init(config: DeFTConfig, origin: WeightsOrigin, sam1: Linear, sam2: Linear,
                score1: Linear, score2: Linear, score3: Linear, mixtureLogits: [Float],
                gate: Linear, rtd: RTDWeights?) {
        self.config = config; self.origin = origin
        self.sam1 = sam1; self.sam2 = sam2
        self.score1 = score1; self.score2 = score2; self.score3 = score3
        self.mixtureLogits = mixtureLogits; self.gate = gate; self.rtd = rtd
    }

    /// θ = logit([0.4, 0.4, 0.2]), so the initial β is ≈ (0.421, 0.421, 0.158).
    public static let initialMixtureLogits: [Float] = [0.4, 0.4, 0.2].map { Float(log($0 / (1 - $0))) }

    /// A fresh module initialised like the reference: Xavier-uniform weights, zero biases, seeded.
    public init(untrained config: DeFTConfig, seed: UInt64 = 0) {
        var rng = SplitMix64(seed: seed)
        let d = config.tokenDim, s = config.semanticDim, b = config.bottleneckDim
        self.config = config
        self.origin = .untrained(seed: seed)
        sam1 = Linear(inputs: d, outputs: s, rng: &rng)
        sam2 = Linear(inputs: s, outputs: s, rng: &rng)
        score1 = Linear(inputs: s, outputs: s, rng: &rng)
        score2 = Linear(inputs: s, outputs: s, rng: &rng)
        score3 = Linear(inputs: s, outputs: 1, rng: &rng)
        mixtureLogits = Self.initialMixtureLogits
        gate = Linear(inputs: s + 2, outputs: 1, rng: &rng)
        rtd = config.enableRTD && b > 0
            ? RTDWeights(encoder1: Linear(inputs: d, outputs: b, rng: &rng),
                         encoder2: Linear(inputs: b, outputs: b, rng: &rng),
                         decoder1: Linear(inputs: b, outputs: b, rng: &rng),
                         decoder2: Linear(inputs: b, outputs: d, rng: &rng))
            : nil
    }
}
