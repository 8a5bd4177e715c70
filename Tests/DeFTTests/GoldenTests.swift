import Foundation
import Testing
@testable import DeFT

/// The vectors the public PyTorch reference produced (copied from shared/golden into Fixtures).
/// Scores must agree to 1e-4 relative; kept sets may differ only between near-tied tokens.
@Suite struct GoldenTests {
    struct Case {
        let name: String
        let layout: TokenLayout
        let batch: Int
        let ratio: Double
        let mode: InferenceMode
        let model: DeFTModel
        let inputs: SafetensorsFile
        let expected: SafetensorsFile
        let hasFeedback: Bool
        let hasLogits: Bool

        init(_ name: String) throws {
            let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/golden/\(name)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("case.json"))) as! [String: Any]
            self.name = name
            batch = json["batch"] as! Int
            let n = json["num_tokens"] as! Int
            ratio = json["retention_ratio"] as! Double
            mode = InferenceMode(rawValue: json["inference_mode"] as! String)!
            let shape = json["spatial_shape"] as? [Int]
            switch json["modality"] as! String {
            case "image": layout = .image(height: shape![0], width: shape![1])
            case "video": layout = .video(frames: n / (shape![0] * shape![1]), height: shape![0], width: shape![1])
            default: layout = .text(count: n)
            }
            let weightsPath = dir.appendingPathComponent("weights.safetensors").path
            var m = try DeFTModel(safetensors: weightsPath)
            m.config.alphaVar = Float(json["alpha_var"] as! Double)
            model = m
            inputs = try SafetensorsFile.load(path: dir.appendingPathComponent("inputs.safetensors").path)
            expected = try SafetensorsFile.load(path: dir.appendingPathComponent("expected.safetensors").path)
            hasFeedback = !(json["feedback_from"] is NSNull)
            hasLogits = !(json["logits_from"] is NSNull)
        }

        func matrix(_ file: SafetensorsFile, _ key: String) throws -> Matrix {
            let t = try file.floats(key)
            return Matrix(rows: t.shape.dropLast().reduce(1, *), cols: t.shape.last!, storage: t.values)
        }

        func run() throws -> [TokenScores] {
            try DeFTPipeline.score(model, tokens: matrix(inputs, "tokens"), batch: batch, layout: layout,
                                   feedback: hasFeedback ? matrix(inputs, "grad_z") : nil,
                                   logits: hasLogits ? matrix(inputs, "logits") : nil)
        }
    }

    static let cases = ["image_fast", "image_feedback", "image_hybrid", "image_hybrid_logits", "text_fast", "video_fast"]

    static func expectClose(_ got: [Float], _ want: ArraySlice<Float>, _ what: String, tol: Float = 1e-4) {
        #expect(got.count == want.count, "\(what): \(got.count) values, expected \(want.count)")
        for (i, (g, w)) in zip(got, want).enumerated() {
            let err = abs(g - w) / max(abs(w), 1)
            #expect(err <= tol, "\(what)[\(i)]: got \(g), expected \(w)")
        }
    }

    @Test(arguments: cases)
    func signalsMatchReference(_ name: String) throws {
        let c = try Case(name)
        let rows = try c.run()
        let n = c.layout.count
        let z = try c.expected.floats("z").values
        let gotZ = DeFTPipeline.semantic(c.model, try c.matrix(c.inputs, "tokens")).storage
        Self.expectClose(gotZ, z[...], "\(name) z")
        let mix = try c.expected.floats("mixture_weights").values
        for (b, row) in rows.enumerated() {
            let r = (b * n)..<((b + 1) * n)
            Self.expectClose(row.saliency, try c.expected.floats("s_sem").values[r], "\(name) s_sem[\(b)]")
            Self.expectClose(row.group, try c.expected.floats("s_group").values[r], "\(name) s_group[\(b)]")
            Self.expectClose(row.feedback, try c.expected.floats("s_fb").values[r], "\(name) s_fb[\(b)]")
            Self.expectClose(row.combined, try c.expected.floats("scores").values[r], "\(name) scores[\(b)]")
            Self.expectClose(row.mixture, mix[...], "\(name) mixture")
            Self.expectClose([row.selectionEntropy], try c.expected.floats("selection_entropy").values[b...b],
                             "\(name) entropy[\(b)]")
        }
    }

    @Test(arguments: cases)
    func keptSetsMatchReferenceExceptNearTies(_ name: String) throws {
        let c = try Case(name)
        let rows = try c.run()
        let want = try c.expected.integers("retained_indices")
        let k = want.shape[1]
        for (b, row) in rows.enumerated() {
            let sel = row.selection(ratio: c.ratio, mode: c.mode)
            #expect(sel.k == k)
            let expectedSet = Set(want.values[(b * k)..<((b + 1) * k)])
            let threshold = row.combined[sel.keptByScore.last!]
            for i in Set(sel.keptByScore).symmetricDifference(expectedSet) {
                #expect(abs(row.combined[i] - threshold) <= 1e-4 * max(abs(threshold), 1),
                        "\(name)[\(b)]: token \(i) differs from the reference's kept set and is not a near tie")
            }
            #expect(sel.kept == sel.kept.sorted())
            #expect(sel.kept.count + sel.pruned.count == c.layout.count)
        }
    }

    @Test(arguments: ["image_hybrid", "image_hybrid_logits"])
    func hybridGateAndReconstructionsMatchReference(_ name: String) throws {
        let c = try Case(name)
        let rows = try c.run()
        let tokens = try c.matrix(c.inputs, "tokens")
        let wantIdx = try c.expected.integers("reconstructed_indices")
        let wantProbs = try c.expected.floats("reconstruct_probs").values
        let wantMask = try c.expected.integers("reconstruct_mask").values
        let wantTokens = try c.expected.floats("reconstructed_tokens").values
        let p = wantIdx.shape[1], n = c.layout.count, d = tokens.cols
        for (b, row) in rows.enumerated() {
            let sel = row.selection(ratio: c.ratio, mode: .hybrid)
            let pruned = Array(wantIdx.values[(b * p)..<((b + 1) * p)])
            #expect(sel.pruned == pruned)
            let probs = pruned.map { row.gate?.probability[$0] ?? 1 }
            Self.expectClose(probs, wantProbs[(b * p)..<((b + 1) * p)], "\(name) reconstruct_probs[\(b)]")
            let chosen = zip(pruned, wantMask[(b * p)..<((b + 1) * p)]).filter { $0.1 != 0 }.map(\.0)
            #expect(sel.reconstructed == chosen, "\(name)[\(b)]: the gate's choice differs")
            let xhat = DeFTPipeline.reconstruct(c.model, tokens.gatherRows(pruned.map { b * n + $0 }))!
            Self.expectClose(xhat.storage, wantTokens[(b * p * d)..<((b + 1) * p * d)], "\(name) reconstructions[\(b)]")
        }
    }

    @Test func untrainedMixtureStartsNearReferenceInitialisation() {
        let beta = RowStatistics.softmax(DeFTModel.initialMixtureLogits[...])
        #expect(abs(beta[0] - 0.421) < 1e-3 && abs(beta[1] - 0.421) < 1e-3 && abs(beta[2] - 0.158) < 1e-3)
    }
}
