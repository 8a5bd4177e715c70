import Foundation

/// What a language model pays to read n tokens, by FastV's per-layer count (its Eq. 5):
/// `C(n) = 4·n·d² + 2·n²·d + 2·n·d·m`, with `3·n·d·m` for a gated (SwiGLU) FFN, multiply-adds
/// counted as one (the convention of the FastV/VScan tables: LLaVA-1.5-7B, 576 tokens → 3.817 T).
/// KV cache: `2 · layers · kv_heads · head_dim · bytes` per token. Estimates, not measurements.
public struct CostModel: Sendable, Equatable {
    public var model: LanguageModel
    /// Prompt tokens beside the visual ones.
    public var textTokens: Int
    /// Layer before which pruning happens (0: before the language model; FastV prunes at K = 2 or 3).
    public var pruneLayer: Int

    public init(model: LanguageModel, textTokens: Int = 0, pruneLayer: Int = 0) {
        self.model = model; self.textTokens = textTokens; self.pruneLayer = min(max(pruneLayer, 0), model.layers)
    }

    /// One decoder layer over n tokens.
    public func layerFLOPs(tokens n: Int) -> Double { layerFLOPs(tokens: Double(n)) }

    /// In Doubles throughout: a config's sizes may be anything up to Int.max, and their products with
    /// each other overflow Int long before they overflow a Double.
    func layerFLOPs(tokens n: Double) -> Double {
        let d = Double(model.hidden), m = Double(model.intermediate)
        return 4 * n * d * d + 2 * n * n * d + (model.gatedFFN ? 3 : 2) * n * d * m
    }

    /// Prefill with `visual` visual tokens in every layer before `pruneLayer` and `kept` after it.
    public func prefillFLOPs(visual: Int, kept: Int) -> Double {
        let full = layerFLOPs(tokens: Double(textTokens) + Double(visual)), cut = layerFLOPs(tokens: Double(textTokens) + Double(kept))
        return Double(pruneLayer) * full + Double(model.layers - pruneLayer) * cut
    }

    public var kvBytesPerToken: Double {
        2 * Double(model.layers) * Double(model.kvHeads) * Double(model.headDim) * Double(model.bytesPerValue)
    }

    /// KV cache after prefill (the layers before `pruneLayer` still hold every token).
    public func kvBytes(visual: Int, kept: Int) -> Double {
        let perLayer = kvBytesPerToken / Double(model.layers)
        return perLayer * (Double(pruneLayer) * Double(textTokens + visual) + Double(model.layers - pruneLayer) * Double(textTokens + kept))
    }

    /// Parameters of the language model (LLaMA shapes: attention, FFN, embeddings and head), if the
    /// vocabulary is known: the memory a KV saving is weighed against.
    public var weightBytes: Double? {
        guard let v = model.vocabulary else { return nil }
        let d = Double(model.hidden), m = Double(model.intermediate)
        let kvWidth = Double(model.kvHeads) * Double(model.headDim)
        let attention = 2 * d * d + 2 * d * kvWidth
        let ffn = (model.gatedFFN ? 3 : 2) * d * m
        return (Double(model.layers) * (attention + ffn) + 2 * Double(v) * d) * Double(model.bytesPerValue)
    }

    public func estimate(visual: Int, kept: Int) -> CostEstimate {
        let full = prefillFLOPs(visual: visual, kept: visual), cut = prefillFLOPs(visual: visual, kept: kept)
        return CostEstimate(model: model.name, textTokens: textTokens, pruneLayer: pruneLayer, visualTokens: visual,
                            keptTokens: kept, prefillFLOPs: cut, prefillFLOPsAllTokens: full,
                            flopsRatio: full > 0 ? cut / full : 1, kvBytes: kvBytes(visual: visual, kept: kept),
                            kvBytesAllTokens: kvBytes(visual: visual, kept: visual), weightBytes: weightBytes)
    }
}

public struct CostEstimate: Sendable, Equatable, Codable {
    public let model: String
    public let textTokens: Int
    public let pruneLayer: Int
    public let visualTokens: Int
    public let keptTokens: Int
    public let prefillFLOPs: Double
    public let prefillFLOPsAllTokens: Double
    public let flopsRatio: Double
    public let kvBytes: Double
    public let kvBytesAllTokens: Double
    public let weightBytes: Double?

    /// "1.81 TFLOP (48 %) · KV 138 MiB"
    public var short: String {
        "\(Self.flops(prefillFLOPs)) (\(Int((flopsRatio * 100).rounded())) %) · KV \(Self.bytes(kvBytes))"
    }

    public static func flops(_ v: Double) -> String {
        // One decimal always, so two numbers side by side read at the same precision ("20.0" beside "16.4").
        v >= 1e12 ? String(format: "%.1f TFLOP", v / 1e12) : String(format: "%.1f GFLOP", v / 1e9)
    }

    public static func bytes(_ v: Double) -> String {
        v >= 1_073_741_824 ? String(format: "%.1f GiB", v / Double(1 << 30)) : String(format: "%.1f MiB", v / Double(1 << 20))
    }
}
