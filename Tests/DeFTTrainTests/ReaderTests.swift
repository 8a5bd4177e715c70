import DeFT
@testable import DeFTTrain
import Foundation
import Testing

@Suite struct ReaderTests {
    static func reader(seed: UInt64 = 7) -> Reader {
        var r = Reader(tokenDim: 6, gridHeight: 3, gridWidth: 3, classes: 4, width: 8, queries: 3, hiddenWidth: 10,
                       inputMean: [0.1, -0.2, 0, 0.3, 0, 0], inputScale: [1, 2, 0.5, 1, 1.5, 1], seed: seed)
        // No zero biases: a kink-free, generic point.
        var rng = SplitMix64(seed: 13)
        r.forEachParameter { name, v in if name.hasSuffix("bias") { for i in v.indices { v[i] = rng.nextFloat(in: -0.3...0.3) } } }
        return r
    }

    /// Every parameter of the reader and of DeFT, through the soft mask: the loss reaches the scorer
    /// only through ∂L/∂m, so this checks the mask derivative of the reader's attention too.
    @Test func backwardMatchesFiniteDifferencesThroughTheMask() throws {
        let layout = TokenLayout.image(height: 3, width: 3)
        let t = try GradientCheckTests.trainer(objective: Self.reader(), layout: layout, batch: 3, labels: [0, 3, 1])
        let r = GradientCheckTests.check(t, batch: 3, labels: [0, 3, 1])
        GradientCheckTests.expectClose(r)
        #expect(r.contains { $0.0 == "reader.queries" && abs($0.2) > 1e-6 })
        #expect(r.contains { $0.0 == "reader.position" && abs($0.2) > 1e-6 })
        // The scorer learns from the reader's loss through the mask.
        #expect(r.contains { $0.0.hasPrefix("scoring.mlp_score") && abs($0.2) > 1e-6 })
    }

    /// The reconstruction gate trained against the reader (hybrid): restored tokens are read as their RTD
    /// reconstructions in token space, u and c come from the reader on each token alone.
    @Test func theGateLearnsFromTheReader() throws {
        let layout = TokenLayout.image(height: 3, width: 3)
        var t = try GradientCheckTests.trainer(objective: Self.reader(), layout: layout, batch: 3, labels: [0, 3, 1])
        t.gate = GateObjective(cost: 0.3)
        let r = GradientCheckTests.check(t, batch: 3, labels: [0, 3, 1]).filter { $0.0.contains("reconstruct_gate") }
        #expect(r.count == 2)
        GradientCheckTests.expectClose(r)
        #expect(r.allSatisfy { abs($0.2) > 1e-6 }, "\(r)")
    }

    /// ∂L/∂x (DeFT's feedback signal here) and ∂L/∂m against central differences in each coordinate
    /// (an absolute floor of 1e-4: float32 rounding of a loss near 1, divided by 2h).
    @Test func tokenAndMaskGradientsMatchFiniteDifferences() {
        let r = Self.reader()
        let x = GradientCheckTests.randomMatrix(18, 6, seed: 3)
        let m: [Float] = (0..<18).map { 0.2 + 0.8 * Float(($0 * 7) % 5) / 4 }
        let labels = [2, 1]
        let z = Matrix(rows: 18, cols: 1)
        let res = r.evaluate(z: z, tokens: x, mask: m, batch: 2, labels: labels)
        let h: Float = 1e-3
        for i in stride(from: 0, to: 18 * 6, by: 5) {
            var a = x, b = x
            a.storage[i] += h; b.storage[i] -= h
            let fd = (r.evaluate(z: z, tokens: a, mask: m, batch: 2, labels: labels).loss
                - r.evaluate(z: z, tokens: b, mask: m, batch: 2, labels: labels).loss) / Double(2 * h)
            #expect(abs(fd - Double(res.tokens!.storage[i])) <= 2e-3 * abs(fd) + 1e-4, "x[\(i)]: \(fd) vs \(res.tokens!.storage[i])")
        }
        for i in 0..<18 {
            var a = m, b = m
            a[i] += h; b[i] -= h
            let fd = (r.evaluate(z: z, tokens: x, mask: a, batch: 2, labels: labels).loss
                - r.evaluate(z: z, tokens: x, mask: b, batch: 2, labels: labels).loss) / Double(2 * h)
            #expect(abs(fd - Double(res.mask[i])) <= 2e-3 * abs(fd) + 1e-4, "m[\(i)]: \(fd) vs \(res.mask[i])")
        }
        #expect(res.semantic.storage.allSatisfy { $0 == 0 })
    }

    /// m = 0 is "not read": whatever such a token holds, the logits are bit-identical.
    @Test func aTokenAtMaskZeroIsNotRead() {
        let r = Self.reader()
        let x = GradientCheckTests.randomMatrix(9, 6, seed: 4)
        var m = [Float](repeating: 1, count: 9)
        m[2] = 0; m[6] = 0
        var y = x
        for f in 0..<6 { y[2, f] = 100 + Float(f); y[6, f] = -50 }
        #expect(r.logits(tokens: x, mask: m, batch: 1) == r.logits(tokens: y, mask: m, batch: 1))
        // And it is read when its mask is not 0.
        m[2] = 1
        #expect(r.logits(tokens: x, mask: m, batch: 1) != r.logits(tokens: y, mask: m, batch: 1))
    }

    @Test func tokenLogitsAreTheReaderGivenOneTokenAlone() {
        let r = Self.reader()
        let x = GradientCheckTests.randomMatrix(9, 6, seed: 5)
        let each = r.tokenLogits(tokens: x)
        for i in [0, 4, 8] {
            var m = [Float](repeating: 0, count: 9); m[i] = 1
            let alone = r.logits(tokens: x, mask: m, batch: 1)
            #expect(zip(alone.storage, each.row(i)).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    @Test func savesAndLoadsExactly() throws {
        let r = Self.reader()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString).safetensors").path
        try r.save(to: path)
        let back = try Reader(safetensors: path)
        let x = GradientCheckTests.randomMatrix(18, 6, seed: 6), m = [Float](repeating: 1, count: 18)
        #expect(back.logits(tokens: x, mask: m, batch: 2) == r.logits(tokens: x, mask: m, batch: 2))
        #expect(back.gridHeight == 3 && back.inputScale == r.inputScale)
    }

    /// Trained on every token, it learns a task whose answer sits in one token's position: class =
    /// which quarter of the grid holds the bright token (position embedding and attention both needed).
    @Test func learnsWhereTheEvidenceIs() {
        var rng = SplitMix64(seed: 1)
        let count = 200
        var data: [Matrix] = [], labels: [Int] = []
        let spots = [0, 2, 6, 8]
        for _ in 0..<count {
            var x = Matrix(rows: 9, cols: 6)
            for i in x.storage.indices { x.storage[i] = rng.nextFloat(in: -0.2...0.2) }
            let c = Int(rng.next() % 4)
            for f in 0..<6 { x[spots[c], f] += 2 }
            data.append(x); labels.append(c)
        }
        var o = ReaderTraining.Options(); o.steps = 300; o.batchSize = 16; o.learningRate = 1e-2
        let start = Reader(tokenDim: 6, gridHeight: 3, gridWidth: 3, classes: 4, width: 8, queries: 2, hiddenWidth: 16, seed: 0)
        let batchOf = { (idx: [Int]) in Matrix(rows: idx.count * 9, cols: 6, storage: idx.flatMap { data[$0].storage }) }
        let (trained, _) = ReaderTraining.train(start, count: count, labels: labels, options: o, batchOf: batchOf)
        let all = Array(0..<count)
        let p = trained.predictions(tokens: batchOf(all), mask: [Float](repeating: 1, count: count * 9), batch: count)
        let accuracy = Double(zip(p, labels).filter { $0 == $1 }.count) / Double(count)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
    }
}

@Suite struct ReaderFeedbackTests {
    /// At test time DeFT's feedback is the reader's all-token ∂L/∂x (its own prediction the target),
    /// handed to the scoring service as a supplied gradient of the tokens' width: it must change the scores.
    @Test func theReadersTokenGradientIsDeFTsFeedback() throws {
        let reader = ReaderTests.reader()
        let x = GradientCheckTests.randomMatrix(18, 6, seed: 8)
        let g = TaskFeedback.gradient(reader, z: Matrix(rows: 18, cols: 1), tokens: x, batch: 2, labels: nil).gradient
        #expect(g.rows == 18 && g.cols == 6 && g.storage.contains { $0 != 0 })
        let service = ScoringService(model: DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 16), seed: 2), head: nil)
        let layout = TokenLayout.image(height: 3, width: 3)
        let with = try service.score(tokens: x, batch: 2, layout: layout,
                                     feedback: FeedbackRequest(gradient: (g, "reader"), objective: ObjectiveName.none))
        let without = try service.score(tokens: x, batch: 2, layout: layout, feedback: FeedbackRequest(objective: ObjectiveName.none))
        #expect(with.rows.allSatisfy(\.hasFeedback) && !without.rows.contains(where: \.hasFeedback))
        #expect(with.rows[0].combined != without.rows[0].combined)
        // s_fb is the size of ∂L/∂x per token (one input alone: no batch-variance term).
        let one = try service.score(tokens: x.rows(0..<9), batch: 1, layout: layout,
                                    feedback: FeedbackRequest(gradient: (g.rows(0..<9), "reader"), objective: ObjectiveName.none))
        for i in 0..<9 {
            let norm = (0..<6).reduce(Float(0)) { $0 + g[i, $1] * g[i, $1] }.squareRoot()
            #expect(abs(one.rows[0].feedback[i] - norm) <= 1e-5 * max(norm, 1))
        }
    }
}
