import DeFT
import Foundation
import Testing
@testable import DeFTEval

/// Hand-computed values; the 7B ones are the check values of the FastV/VScan tables (PEERS.md).
@Suite struct CostModelTests {
    let seven = CostModel(model: .llava7B)

    @Test func sevenBillionMatchesThePublishedPrefillCounts() {
        // Per layer at 576 tokens: 4·576·4096² + 2·576²·4096 + 3·576·4096·11008 = 119 286 005 760.
        #expect(seven.layerFLOPs(tokens: 576) == 119_286_005_760)
        for (tokens, tflops) in [(576, 3.817), (192, 1.253), (128, 0.833), (64, 0.416), (277, 1.814)] {
            let got = seven.prefillFLOPs(visual: 576, kept: tokens) / 1e12
            #expect(abs(got - tflops) < 0.0006, "\(tokens) tokens: \(got) TFLOP, expected \(tflops)")
        }
    }

    @Test func thirteenBillionByHand() {
        // 4·576·5120² + 2·576²·5120 + 3·576·5120·13824 = 186 101 268 480 per layer, 40 layers.
        let c = CostModel(model: .llava13B)
        #expect(c.prefillFLOPs(visual: 576, kept: 576) == 40 * 186_101_268_480)
    }

    @Test func kvCacheIsHalfAMebibytePerTokenForSevenB() {
        #expect(seven.kvBytesPerToken == 524_288)
        #expect(seven.kvBytes(visual: 576, kept: 576) == 288 * 1_048_576)
        let withText = CostModel(model: .llava7B, textTokens: 64)
        #expect(withText.kvBytes(visual: 576, kept: 277) == Double(64 + 277) * 524_288)
        // 6.74 B parameters in fp16.
        #expect(abs(seven.weightBytes! / 1e9 - 13.48) < 0.01)
    }

    @Test func pruningInsideTheModelKeepsTheEarlyLayersFull() {
        // FastV K = 3, R = 50 %, 64 text tokens, its own 2·n·d·m FFN term: 58.5 % of the FLOPs
        // (its README says 57 %); with the SwiGLU term, 58.65 %.
        var plain = LanguageModel.llava7B
        plain.gatedFFN = false
        #expect(abs(CostModel(model: plain, textTokens: 64, pruneLayer: 3).estimate(visual: 576, kept: 288).flopsRatio - 0.5850) < 0.0002)
        let fastV = CostModel(model: .llava7B, textTokens: 64, pruneLayer: 3)
        let e = fastV.estimate(visual: 576, kept: 288)
        #expect(abs(e.flopsRatio - 0.5865) < 0.0002)
        let layer = fastV.layerFLOPs(tokens: 640), cut = fastV.layerFLOPs(tokens: 352)
        #expect(e.prefillFLOPs == 3 * layer + 29 * cut)
    }

    @Test func readsAHuggingFaceConfigWithANestedTextConfig() throws {
        let path = NSTemporaryDirectory() + "deft-llava-config-\(getpid()).json"
        let json = """
        {"model_type": "llava", "text_config": {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
         "intermediate_size": 11008, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32064,
         "hidden_act": "silu"}, "torch_dtype": "bfloat16"}
        """
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let m = try LanguageModel.named(path)
        #expect(m.layers == 32 && m.hidden == 4096 && m.kvHeads == 8 && m.gatedFFN && m.bytesPerValue == 2)
        // Grouped-query attention: a quarter of the KV heads, a quarter of the cache.
        #expect(CostModel(model: m).kvBytesPerToken == 524_288 / 4)
    }

    @Test func badConfigsSayWhatIsWrong() throws {
        let path = NSTemporaryDirectory() + "deft-bad-config-\(getpid()).json"
        try #"{"hidden_size": "big", "num_hidden_layers": 2}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DeFTError.self) { try LanguageModel.named(path) }
        do { _ = try LanguageModel.named(path) } catch let e as DeFTError {
            #expect("\(e)".contains("hidden_size"))
        }
        #expect(throws: DeFTError.self) { try LanguageModel.named("llava-9b") }
    }
}
