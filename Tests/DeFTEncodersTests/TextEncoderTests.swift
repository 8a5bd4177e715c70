import DeFT
@testable import DeFTEncoders
import Foundation
import Testing

@Suite struct TextEncoderTests {
    /// A random 2-layer BERT (width 32, 4 heads, 64 positions) against transformers' BertModel: both layers,
    /// on accents, punctuation, CJK and a text of several windows (combined in Python with the same rule).
    @Test func tinyRandomBERTMatchesTransformers() throws {
        let encoder = try TextEncoder(directory: TextFixtures.tinyBERT)
        #expect(encoder.windowLength == 64 && encoder.hiddenSize == 32)
        let cases = try TextFixtures.json("tiny-bert-cases.json", as: [TextFixtures.Case].self)
        let expected = try TextFixtures.safetensors("tiny-bert-expected.safetensors")
        #expect(cases.count == 4 && cases.last!.windows! >= 3)
        for (i, c) in cases.enumerated() {
            for layer in EncoderLayer.allCases {
                let out = encoder.encode(c.text, layer: layer)
                #expect(out.pieces == c.pieces)
                #expect(out.spans == c.byteRanges)
                let want = try expected.floats("t\(i).\(layer.rawValue)")
                #expect(want.shape == [c.ids.count, 32] && out.tokens.rows == c.ids.count && out.tokens.cols == 32)
                let err = TextFixtures.relativeError(out.tokens.storage, want.values)
                #expect(err <= 1e-5, "text \(i) \(layer): relative error \(err)")
            }
            #expect(TextWindows(count: c.ids.count, width: 62).windows.count == c.windows)
        }
    }

    /// A long text's windowed output, for the pieces a window owns, equals that window's pieces encoded
    /// alone as one short text; and there is exactly one row per wordpiece.
    @Test func windowedOutputEqualsEachWindowAlone() throws {
        let encoder = try TextEncoder(directory: TextFixtures.tinyBERT)
        let c = try TextFixtures.json("tiny-bert-cases.json", as: [TextFixtures.Case].self).last!
        let full = encoder.hiddenStates(c.ids, layer: .last)
        #expect(full.rows == c.ids.count)
        let plan = TextWindows(count: c.ids.count, width: encoder.windowLength - 2)
        #expect(plan.windows.count >= 3)
        var checked = 0
        for (k, w) in plan.windows.enumerated() {
            let alone = encoder.hiddenStates(Array(c.ids[w]), layer: .last)
            for i in w where plan.owner[i] == k {
                #expect(TextFixtures.relativeError(full.row(i), alone.row(i - w.lowerBound)) <= 1e-6)
                checked += 1
            }
        }
        #expect(checked == c.ids.count)
        // Context matters: the same pieces near a window's edge differ from the owning window's vector.
        let edge = plan.windows[1].lowerBound
        let fromSecond = encoder.hiddenStates(Array(c.ids[plan.windows[1]]), layer: .last).row(0)
        #expect(plan.owner[edge] == 0 && TextFixtures.relativeError(fromSecond, full.row(edge)) > 1e-3)
    }

    @Test func windowsHalfOverlapAndEveryPieceSitsCentrally() {
        let p = TextWindows(count: 600, width: 254)
        #expect(p.windows == [0..<254, 127..<381, 254..<508, 346..<600])
        #expect(p.owner[0] == 0 && p.owner[190] == 0 && p.owner[191] == 1 && p.owner[599] == 3)
        #expect(TextWindows(count: 254, width: 254).windows == [0..<254])
        #expect(TextWindows(count: 255, width: 254).windows == [0..<254, 1..<255])
        #expect(TextWindows(count: 0, width: 254).owner.isEmpty)
        for i in 127..<(600 - 127) {
            let w = p.windows[p.owner[i]]
            #expect(i - w.lowerBound >= 63 && w.upperBound - i > 63, "piece \(i) sits too near its window's edge")
        }
    }

    @Test func emptyTextGivesNoTokens() throws {
        let out = try TextEncoder(directory: TextFixtures.tinyBERT).encode(" \n\u{7}")
        #expect(out.tokens.rows == 0 && out.tokens.cols == 32 && out.pieces.isEmpty)
    }

    @Test func configAndWeightsAreCheckedBeforeUse() throws {
        func configError(_ json: String) -> String? {
            do { _ = try BertConfig(data: Data(json.utf8), path: "config.json"); return nil } catch let e as DeFTError { return e.description } catch { return "\(error)" }
        }
        let good = try String(contentsOfFile: TextFixtures.tinyBERT + "/config.json", encoding: .utf8)
        #expect(configError(good) == nil)
        #expect(configError("[1]") == "config.json: the model config is not a JSON object")
        #expect(configError(good.replacingOccurrences(of: "\"num_attention_heads\": 4", with: "\"num_attention_heads\": 5"))
                == "config.json: hidden_size 32 is not a multiple of num_attention_heads 5")
        #expect(configError(good.replacingOccurrences(of: "\"hidden_act\": \"gelu\"", with: "\"hidden_act\": \"relu\""))?
                    .hasPrefix("config.json: 'hidden_act' is relu") == true)
        #expect(configError(good.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": -3"))?
                    .hasPrefix("config.json: 'hidden_size' must be an integer") == true)
        // Found by the fuzzer: positive as a Double, zero as a Float.
        #expect(configError(good.replacingOccurrences(of: "\"layer_norm_eps\": 1e-12", with: "\"layer_norm_eps\": 1e-52"))
                == "config.json: 'layer_norm_eps' must be a number in [1e-30, 1)")

        // A config whose width disagrees with the weights: one line naming the weights file and the tensor.
        var config = try BertConfig(data: Data(good.utf8), path: "config.json")
        config.intermediateSize = 48
        let weights = try SafetensorsFile.load(path: TextFixtures.tinyBERT + "/model.safetensors")
        #expect(throws: DeFTError(weights.path, "tensor 'encoder.layer.0.intermediate.dense.weight' has shape [64, 32], config.json implies [48, 32]")) {
            _ = try BertModel(config: config, weights: weights)
        }
    }

    @Test func aModelFolderThatDisagreesWithItselfIsOneLine() throws {
        #expect(throws: DeFTError("/nonexistent/minilm-l6/config.json", "cannot read the model config")) {
            _ = try TextEncoder(directory: "/nonexistent/minilm-l6")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-text-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: TextFixtures.tinyBERT + "/" + f, toPath: dir.appendingPathComponent(f).path)
        }
        let vocab = try String(contentsOfFile: TextFixtures.tinyBERT + "/vocab.txt", encoding: .utf8)
        try (vocab + "extra\n").write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        #expect(throws: DeFTError(dir.appendingPathComponent("vocab.txt").path, "178 tokens, but config.json says vocab_size 177")) {
            _ = try TextEncoder(directory: dir.path)
        }
    }

    /// all-MiniLM-L6-v2 against transformers on texts it never saw (accents, punctuation, CJK and an
    /// 855-piece text over 6 windows). The fixture holds, per text and layer, every row's norm, the column
    /// sums and a spread subset of full rows (including rows at window seams), not every value.
    @Test(.enabled(if: TextFixtures.miniLM != nil, "needs <models>/minilm-l6 (deft models fetch)"))
    func miniLMMatchesTransformers() throws {
        let encoder = try TextEncoder(directory: TextFixtures.miniLM!)
        #expect(encoder.windowLength == 256 && encoder.hiddenSize == 384)
        let cases = try TextFixtures.json("minilm-cases.json", as: [TextFixtures.Case].self)
        let expected = try TextFixtures.safetensors("minilm-expected.safetensors")
        #expect(cases.count == 5 && cases.last!.windows == 6)
        for (i, c) in cases.enumerated() {
            for layer in EncoderLayer.allCases {
                let out = encoder.encode(c.text, layer: layer)
                #expect(out.pieces == c.pieces && out.tokens.rows == c.ids.count)
                let key = "t\(i).\(layer.rawValue)"
                let rows = out.tokens.gatherRows(c.rows!)
                let err = TextFixtures.relativeError(rows.storage, try expected.floats(key + ".rows").values)
                #expect(err <= 1e-4, "\(key): rows relative error \(err)")
                let norms = (0..<out.tokens.rows).map { r in out.tokens.row(r).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }
                #expect(TextFixtures.relativeError(norms, try expected.floats(key + ".row_norms").values) <= 1e-4)
                var sums = [Float](repeating: 0, count: 384)
                for r in 0..<out.tokens.rows { for j in 0..<384 { sums[j] += out.tokens[r, j] } }
                #expect(TextFixtures.relativeError(sums, try expected.floats(key + ".col_sums").values) <= 1e-4)
            }
        }
    }

    /// The two sample passages that fit one window (211 and 146 pieces), as transformers' MiniLM encoded
    /// them (`Fixtures/text/passages`: its last hidden state and token list): the encoder gives the same
    /// pieces, the same spans (UTF-8 bytes) and the same vectors. This is the independent check behind
    /// the samples' own tokens, which deft computes. (The Gettysburg passage's 329 pieces need two windows.)
    @Test(.enabled(if: TextFixtures.miniLM != nil, "needs <models>/minilm-l6 (deft models fetch)"))
    func miniLMReproducesTransformersOnTheSamplePassages() throws {
        let encoder = try TextEncoder(directory: TextFixtures.miniLM!)
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples")
        let reference = TextFixtures.directory.appendingPathComponent("passages")
        for name in ["declaration-preamble", "tale-of-two-cities"] {
            let text = try String(contentsOf: samples.appendingPathComponent(name).appendingPathComponent(name + ".txt"), encoding: .utf8)
            let tsv = try String(contentsOf: reference.appendingPathComponent(name + ".minilm.tokens.tsv"), encoding: .utf8)
            let rows = tsv.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            let out = encoder.encode(text)
            #expect(out.pieces == rows.map { String($0[0]) }, "\(name)")
            #expect(out.spans == rows.map { Int($0[1])!..<Int($0[2])! }, "\(name)")
            let want = try Npy.load(path: reference.appendingPathComponent(name + ".minilm.npy").path)
            #expect(want.shape == [out.tokens.rows, 384])
            let err = TextFixtures.relativeError(out.tokens.storage, want.values)
            #expect(err <= 1e-4, "\(name): relative error \(err)")
        }
    }
}
