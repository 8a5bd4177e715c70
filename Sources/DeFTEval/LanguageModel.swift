import DeFT
import Foundation

/// The shape of a decoder-only language model, as far as prefill cost and KV cache need it.
public struct LanguageModel: Sendable, Equatable, Codable {
    public var name: String
    public var layers: Int
    public var hidden: Int
    public var intermediate: Int
    public var heads: Int
    public var kvHeads: Int
    /// Three FFN matrices (SwiGLU: LLaMA, Vicuna, Mistral, Qwen) instead of two.
    public var gatedFFN: Bool
    public var bytesPerValue: Int
    public var vocabulary: Int?

    public var headDim: Int { hidden / max(heads, 1) }

    /// LLaVA-1.5's language models (Vicuna v1.5, LLaMA-2 shapes), fp16.
    public static let llava7B = LanguageModel(name: "LLaVA-1.5-7B", layers: 32, hidden: 4096, intermediate: 11008,
                                              heads: 32, kvHeads: 32, gatedFFN: true, bytesPerValue: 2, vocabulary: 32000)
    public static let llava13B = LanguageModel(name: "LLaVA-1.5-13B", layers: 40, hidden: 5120, intermediate: 13824,
                                               heads: 40, kvHeads: 40, gatedFFN: true, bytesPerValue: 2, vocabulary: 32000)
    public static let presets: [String: LanguageModel] = ["llava-1.5-7b": llava7B, "llava-1.5-13b": llava13B]

    /// A preset by name, or a Hugging Face `config.json` (LLaVA's nest the LM under `text_config`).
    public static func named(_ spec: String) throws -> LanguageModel {
        if let p = presets[spec.lowercased()] { return p }
        guard spec.hasSuffix(".json") || FileManager.default.fileExists(atPath: spec) else {
            throw DeFTError(spec, "not a preset (\(presets.keys.sorted().joined(separator: ", "))) nor a config.json path")
        }
        return try load(configPath: spec)
    }

    /// Largest size a config may give (2⁴⁰): far past any model, small enough that 4·hidden is an Int.
    public static let maxSize = 1 << 40

    public static func load(configPath path: String) throws -> LanguageModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DeFTError(path, "not a JSON object")
        }
        let c = (root["text_config"] as? [String: Any]).map { root.merging($0) { _, inner in inner } } ?? root
        func int(_ key: String, _ alternatives: String...) throws -> Int? {
            for k in [key] + alternatives {
                guard let v = c[k] else { continue }
                guard let n = JSONNumber.integer(v), n > 0 else { throw DeFTError(path, "'\(k)' must be a positive whole number") }
                guard n <= maxSize else { throw DeFTError(path, "'\(k)' is \(n), more than deft's limit of \(maxSize)") }
                return n
            }
            return nil
        }
        guard let hidden = try int("hidden_size", "n_embd", "d_model") else { throw DeFTError(path, "has no 'hidden_size'") }
        guard let layers = try int("num_hidden_layers", "n_layer") else { throw DeFTError(path, "has no 'num_hidden_layers'") }
        let heads = try int("num_attention_heads", "n_head") ?? max(hidden / 128, 1)
        guard hidden % heads == 0 else { throw DeFTError(path, "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)") }
        let kv = try int("num_key_value_heads") ?? heads
        let act = (c["hidden_act"] as? String) ?? (c["hidden_activation"] as? String) ?? ""
        let type = (c["model_type"] as? String) ?? ""
        let gated = ["silu", "swiglu", "gelu_pytorch_tanh"].contains(act) || ["llama", "mistral", "qwen2", "gemma"].contains(type)
        let dtype = (c["torch_dtype"] as? String) ?? (root["torch_dtype"] as? String) ?? "float16"
        let bytes = dtype.contains("32") ? 4 : (dtype.contains("8") ? 1 : 2)
        return LanguageModel(name: (path as NSString).lastPathComponent.terminalSafe, layers: layers, hidden: hidden,
                             intermediate: try int("intermediate_size", "n_inner") ?? 4 * hidden,
                             heads: heads, kvHeads: kv, gatedFFN: gated, bytesPerValue: bytes, vocabulary: try int("vocab_size"))
    }
}
