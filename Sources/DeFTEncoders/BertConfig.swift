import DeFT
import Foundation

/// The parts of a Hugging Face BERT `config.json` the forward needs, validated against each other.
public struct BertConfig: Sendable, Equatable {
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var vocabularySize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEps: Float

    public var headSize: Int { hiddenSize / heads }

    public static func load(path: String) throws -> BertConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the model config") }
        return try BertConfig(data: data, path: path)
    }

    public init(data: Data, path: String) throws {
        guard let json = try? JSONSerialization.jsonObject(with: data), let c = json as? [String: Any] else {
            throw DeFTError(path, "the model config is not a JSON object")
        }
        // Bounds keep a hostile config from asking for terabytes before the weights are even looked at.
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let n = c[key] as? NSNumber, let v = Int(exactly: n.doubleValue), range.contains(v) else {
                throw DeFTError(path, "'\(key)' must be an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return v
        }
        func string(_ key: String, default value: String, allowed: [String]) throws {
            let v = (c[key] as? String) ?? (c[key] == nil ? value : "")
            guard allowed.contains(v) else {
                throw DeFTError(path, "'\(key)' is \(c[key].map { "\($0)" } ?? "missing"); this BERT supports \(allowed.joined(separator: ", "))")
            }
        }
        try string("model_type", default: "bert", allowed: ["bert"])
        try string("hidden_act", default: "gelu", allowed: ["gelu"])
        try string("position_embedding_type", default: "absolute", allowed: ["absolute"])
        hiddenSize = try int("hidden_size", 1...65_536)
        layers = try int("num_hidden_layers", 1...1_024)
        heads = try int("num_attention_heads", 1...1_024)
        intermediateSize = try int("intermediate_size", 1...262_144)
        vocabularySize = try int("vocab_size", 1...10_000_000)
        maxPositions = try int("max_position_embeddings", 3...1_000_000)
        typeVocabularySize = try int("type_vocab_size", 1...1_024)
        // As a Float: 1e-52 is positive as a Double and 0 once narrowed.
        guard let eps = c["layer_norm_eps"] as? NSNumber, eps.doubleValue >= 1e-30, eps.doubleValue < 1 else {
            throw DeFTError(path, "'layer_norm_eps' must be a number in [1e-30, 1)")
        }
        layerNormEps = Float(eps.doubleValue)
        guard hiddenSize % heads == 0 else {
            throw DeFTError(path, "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)")
        }
    }
}
