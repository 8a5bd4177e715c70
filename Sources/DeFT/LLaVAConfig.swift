import Foundation

/// The DeFT fields of a LLaVA-style `config.json` (`use_deft`, `deft_semantic_dim`, ...).
public struct LLaVAConfig: Sendable, Equatable {
    public var useDeft: Bool?
    public var semanticDim: Int?
    public var retentionRatio: Double?
    public var enableRTD: Bool?
    public var alphaVar: Double?
    public var bottleneckRatio: Int?
    public var mmHiddenSize: Int?

    private enum Keys: String, CodingKey {
        case useDeft = "use_deft", semanticDim = "deft_semantic_dim", retentionRatio = "deft_retention_ratio"
        case enableRTD = "deft_enable_rtd", alphaVar = "deft_alpha_var"
        case bottleneckRatio = "deft_rtd_bottleneck_ratio", mmHiddenSize = "mm_hidden_size"
    }

    private struct Decoded: Decodable {
        var c = LLaVAConfig()
        init(from decoder: Decoder) throws {
            let k = try decoder.container(keyedBy: Keys.self)
            c.useDeft = try k.decodeIfPresent(Bool.self, forKey: .useDeft)
            c.semanticDim = try k.decodeIfPresent(Int.self, forKey: .semanticDim)
            c.retentionRatio = try k.decodeIfPresent(Double.self, forKey: .retentionRatio)
            c.enableRTD = try k.decodeIfPresent(Bool.self, forKey: .enableRTD)
            c.alphaVar = try k.decodeIfPresent(Double.self, forKey: .alphaVar)
            c.bottleneckRatio = try k.decodeIfPresent(Int.self, forKey: .bottleneckRatio)
            c.mmHiddenSize = try k.decodeIfPresent(Int.self, forKey: .mmHiddenSize)
        }
    }

    public init() {}

    /// Reads the DeFT fields of a config.json; any other keys are ignored.
    public static func load(path: String) throws -> LLaVAConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        let c: LLaVAConfig
        do {
            c = try JSONDecoder().decode(Decoded.self, from: data).c
        } catch DecodingError.typeMismatch(_, let ctx) where ctx.codingPath.isEmpty {
            throw DeFTError(path, "not a JSON object (a config.json is one object of fields)")
        } catch DecodingError.typeMismatch(let type, let ctx) {
            throw DeFTError(path, "'\(ctx.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type == Bool.self ? "true or false" : type == Int.self ? "a whole number" : "a number")")
        } catch {
            throw DeFTError(path, "not a valid JSON object")
        }
        // d′ sizes three d′×d′ matrices; the token width d is the data's own (deft score overrides it), so
        // mm_hidden_size only needs to be plausible.
        for (name, v, limit) in [("deft_semantic_dim", c.semanticDim, SizeLimits.maxWidth), ("deft_rtd_bottleneck_ratio", c.bottleneckRatio, SizeLimits.maxWidth),
                                 ("mm_hidden_size", c.mmHiddenSize, SizeLimits.maxTokenWidth)] {
            if let v { _ = try SizeLimits.positive(v, source: path, what: "'\(name)'", limit: limit) }
        }
        if let r = c.retentionRatio, !(r > 0 && r <= 1) {
            throw DeFTError(path, "'deft_retention_ratio' must be in (0, 1], found \(r)")
        }
        return c
    }

    /// Applies these fields over `config` (fields absent from the file keep their value).
    public func apply(to config: inout DeFTConfig) {
        if let v = semanticDim { config.semanticDim = v }
        if let v = retentionRatio { config.retentionRatio = v }
        if let v = enableRTD { config.enableRTD = v }
        if let v = alphaVar { config.alphaVar = Float(v) }
        if let v = bottleneckRatio { config.bottleneckRatio = v }
        if let v = mmHiddenSize { config.tokenDim = v }
    }
}
