import DeFT
@testable import DeFTTrain
import Testing

/// Every backward against central finite differences of the loss along one unit direction per
/// parameter: half the backward's own gradient direction, half a random one. The gradient half
/// keeps the signal well above float32 rounding (the engine computes in float32); the random
/// half makes a wrong direction show, not just a wrong length. 
@Suite struct GradientCheckTests {
    static func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.nextFloat(in: -1...1) })
    }

    static func trainer(objective: any TaskObjective, layout: TokenLayout, batch: Int, labels: [Int]?) throws -> Trainer {
        let config = DeFTConfig(tokenDim: 6, semanticDim: 16, bottleneckRatio: 2)
        var model = DeFTModel(untrained: config, seed: 3)
        // No zero biases: a kink-free, generic point.
        var rng = SplitMix64(seed: 11)
        model.forEachParameter { name, v in if name.hasSuffix("bias") { for i in v.indices { v[i] = rng.nextFloat(in: -0.3...0.3) } } }
        let inputs = (0..<batch).map { randomMatrix(layout.count, 6, seed: 100 + UInt64($0)) }
        var options = TrainingOptions()
        options.ratio = 0.5; options.batchSize = batch; options.temperature = 0.5
        return Trainer(model: model, objective: objective,
                       data: try TrainingSet(layout: layout, inputs: inputs, labels: labels), options: options)
    }

    static func totalLoss(_ t: Trainer, _ x: Matrix, _ batch: Int, _ labels: [Int]?, _ c: Trainer.Constants) -> Double {
        let (p, _) = t.lossAndGradients(tokens: x, batch: batch, labels: labels, constants: c)
        return p.taskLoss + (p.rtdLoss ?? 0) + (p.gateLoss ?? 0)
    }

    /// Returns the worst relative error over all parameters.
    static func check(_ t: Trainer, batch: Int, labels: [Int]?) -> [(String, Double, Double)] {
        let (x, _) = t.data.batch(Array(0..<batch))
        let c = t.constants(tokens: x, batch: batch)
        let (_, grads) = t.lossAndGradients(tokens: x, batch: batch, labels: labels, constants: c)
        var names: [(String, Int)] = []
        var m = t.model, o = t.objective
        m.forEachParameter { names.append(($0, $1.count)) }
        o.forEachParameter { names.append(($0, $1.count)) }
        var results: [(String, Double, Double)] = []
        for (k, (name, count)) in names.enumerated() {
            var rng = SplitMix64(seed: 500 + UInt64(k))
            let g = grads[name] ?? [Float](repeating: 0, count: count)
            func unit(_ a: [Float]) -> [Float] {
                let n = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return n > 0 ? a.map { $0 / n } : a
            }
            // (A single value has one direction; the two halves could cancel.)
            let v = count == 1 ? [1] : unit(zip(unit(g), unit((0..<count).map { _ in rng.nextFloat(in: -1...1) })).map { $0 + $1 })
            let h: Float = 1e-3
            func shifted(_ sign: Float) -> Trainer {
                var s = t
                var model = s.model, obj = s.objective
                let apply: (String, inout [Float]) -> Void = { n, vals in
                    if n == name { for i in vals.indices { vals[i] += sign * h * v[i] } }
                }
                model.forEachParameter(apply); obj.forEachParameter(apply)
                s.model = model; s.objective = obj
                return s
            }
            let fd = (totalLoss(shifted(1), x, batch, labels, c) - totalLoss(shifted(-1), x, batch, labels, c)) / Double(2 * h)
            let an = zip(g, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            results.append((name, fd, an))
        }
        return results
    }

    static func expectClose(_ results: [(String, Double, Double)]) {
        for (name, fd, an) in results {
            // 1e-3 relative, above an absolute floor of 3e-5: float32 rounding of a loss near 1,
            // divided by 2h, for the few parameters (the mixture logits) whose gradient is tiny.
            #expect(abs(fd - an) <= 1e-3 * max(abs(fd), abs(an)) + 3e-5, "\(name): finite difference \(fd), backward \(an)")
        }
    }

    @Test(arguments: [TokenLayout.image(height: 3, width: 4), .video(frames: 3, height: 2, width: 2), .text(count: 9)])
    func reconstructObjectiveEveryParameter(_ layout: TokenLayout) throws {
        // Blocks of 5 query rows: the blocked similarity path is exercised, with a ragged last block.
        let t = try Self.trainer(objective: ReconstructObjective(temperature: 0.5, blockRows: 5), layout: layout, batch: 2, labels: nil)
        let r = Self.check(t, batch: 2, labels: nil)
        Self.expectClose(r)
        // The scorer, the SAM, the mixture and the RTD all receive gradient; the gate does not.
        for (name, _, an) in r where !name.contains("reconstruct_gate") { #expect(an != 0, "\(name) got no gradient") }
    }

    @Test func classifyObjectiveEveryParameterIncludingTheHead() throws {
        let layout = TokenLayout.image(height: 3, width: 3)
        let head = ClassifyObjective(classes: 4, semanticDim: 16, seed: 5)
        let t = try Self.trainer(objective: head, layout: layout, batch: 3, labels: [0, 3, 1])
        let r = Self.check(t, batch: 3, labels: [0, 3, 1])
        Self.expectClose(r)
        #expect(r.contains { $0.0 == "classifier.weight" && abs($0.2) > 1e-6 })
    }

    /// The gate's loss reaches only the gate (the rest is held fixed while it learns); its gradient
    /// there must match finite differences, through the sigmoid, the mixed mask and the price λ.
    @Test func gateObjectiveTrainsTheGate() throws {
        let layout = TokenLayout.image(height: 3, width: 3)
        let head = ClassifyObjective(classes: 4, semanticDim: 16, seed: 5)
        var t = try Self.trainer(objective: head, layout: layout, batch: 3, labels: [0, 3, 1])
        t.gate = GateObjective(cost: 0.3)
        let r = Self.check(t, batch: 3, labels: [0, 3, 1]).filter { $0.0.contains("reconstruct_gate") }
        #expect(r.count == 2)
        Self.expectClose(r)
        #expect(r.allSatisfy { abs($0.2) > 1e-6 }, "\(r)")
    }

    @Test func reconstructLossDoesNotDependOnTheBlockSize() {
        let z = Self.randomMatrix(23, 8, seed: 1), x = Self.randomMatrix(23, 5, seed: 2)
        let m = (0..<23).map { Float($0 % 3) / 2 }
        let a = ReconstructObjective(blockRows: 256).evaluate(z: z, tokens: x, mask: m, batch: 1, labels: nil)
        let b = ReconstructObjective(blockRows: 7).evaluate(z: z, tokens: x, mask: m, batch: 1, labels: nil)
        #expect(abs(a.loss - b.loss) <= 1e-6 * a.loss)
        #expect(zip(a.semantic.storage, b.semantic.storage).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(a.mask, b.mask).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func zScoreBackwardMatchesFiniteDifferencesInDouble() {
        let x: [Float] = [0.3, -1.2, 2.5, 0.7, 0.0, 1.1]
        let g: [Float] = [0.5, -0.25, 1.0, 0.1, -0.7, 0.3]
        let an = ScoringTrace.zScoreBackward(values: x[...], grad: g[...])
        for j in x.indices {
            func f(_ dx: Float) -> Double {
                var y = x; y[j] += dx
                return zip(RowStatistics.zScore(y[...]), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            let fd = (f(1e-3) - f(-1e-3)) / 2e-3
            #expect(abs(fd - Double(an[j])) <= 1e-3 * max(1, abs(fd)), "x[\(j)]: \(fd) vs \(an[j])")
        }
    }
}
