import DeFT
@testable import DeFTTrain
import Foundation
import Testing

/// The reader as the scoring service's head: loaded from beside the weights, its own prediction the
/// feedback target, its per-token logits the gate's, and a mismatch an error rather than a trap.
@Suite struct ScoringHeadTests {
    static let layout = TokenLayout.image(height: 3, width: 3)
    static let tokens = GradientCheckTests.randomMatrix(9, 6, seed: 5)

    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-head-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 8), seed: 2).save(to: dir + "/w.safetensors")
        return dir
    }

    @Test func aReaderBesideTheWeightsIsTheHead() throws {
        let dir = try Self.folder()
        let reader = ReaderTests.reader()
        try reader.save(to: dir + "/w.reader.safetensors")
        let s = try ScoringService(weights: dir + "/w.safetensors", tokenDim: 6, seed: 0, source: "test")
        #expect(s.head is Reader)
        let out = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout)
        #expect(out.feedbackSource == .reader(label: nil))
        // Its feedback is the reader's own all-token ∂L/∂x, as the accuracy experiment hands it over.
        let g = TaskFeedback.gradient(reader, z: Matrix(rows: 9, cols: 1), tokens: Self.tokens, batch: 1, labels: nil).gradient
        let supplied = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout,
                                   feedback: FeedbackRequest(gradient: (g, "reader"), objective: ObjectiveName.none))
        #expect(out.rows[0].feedback == supplied.rows[0].feedback)
        // The gate reads the reader's per-token logits: the same as passing them in.
        let passed = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, logits: reader.tokenLogits(tokens: Self.tokens))
        #expect(out.rows[0].gate != nil && out.rows[0].gate?.probability == passed.rows[0].gate?.probability)
        #expect(try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: FeedbackRequest(label: 3)).feedbackSource
                == .reader(label: 3))
        // A grid the reader was not trained on is refused, not read.
        let other = GradientCheckTests.randomMatrix(16, 6, seed: 6)
        #expect(throws: DeFTError.self) { try s.score(tokens: other, batch: 1, layout: .image(height: 4, width: 4)) }
    }

    @Test func oneHeadOnly() throws {
        let dir = try Self.folder()
        try ReaderTests.reader().save(to: dir + "/w.reader.safetensors")
        let head = ClassifyObjective(classes: 3, semanticDim: 8, seed: 1).head
        try SafetensorsFile.write([("classifier.weight", Tensor(shape: [3, 8], values: head.weight.storage)),
                                   ("classifier.bias", Tensor(shape: [3], values: head.bias))], to: dir + "/w.head.safetensors")
        #expect { _ = try ScoringService(weights: dir + "/w.safetensors", tokenDim: 6, seed: 0, source: "test") } throws: {
            "\($0)".contains("w.reader.safetensors") && "\($0)".contains("keep one")
        }
        // A reader of another width is named in the error.
        try FileManager.default.removeItem(atPath: dir + "/w.head.safetensors")
        try Reader(tokenDim: 5, gridHeight: 3, gridWidth: 3, classes: 4, seed: 1).save(to: dir + "/w.reader.safetensors")
        #expect { _ = try ScoringService(weights: dir + "/w.safetensors", tokenDim: 6, seed: 0, source: "test") } throws: {
            "\($0)".contains("w.reader.safetensors") && "\($0)".contains("width 5")
        }
    }

    @Test func theClassifyHeadsAnswerIsItsPooledPrediction() {
        let head = ClassifyObjective(classes: 3, semanticDim: 8, seed: 4)
        let z = GradientCheckTests.randomMatrix(9, 8, seed: 3)
        var mask = [Float](repeating: 0, count: 9)
        mask[2] = 1; mask[5] = 1
        let logits = head.answerLogits(z: z, tokens: Self.tokens, mask: mask, batch: 1)
        let mean = Matrix(rows: 1, cols: 8, storage: (0..<8).map { (z[2, $0] + z[5, $0]) / 2 })
        let expected = head.head.forward(mean)
        for j in 0..<3 { #expect(abs(logits[0, j] - expected[0, j]) < 1e-5) }
    }
}
