import DeFT
import DeFTMedia
@testable import DeFTTrain
import Foundation
import Testing

/// The shipped astronaut weights (`reconstruct` on its 576 DINOv2 tokens, 300 steps from seed 0) against the very weights
/// training started from (untrained, seed 0): the saliency must have moved, the kept set must
/// explain the photo better by the objective it was trained on, and the feedback must be real.
@Suite struct TrainedSaliencyTests {
    static func spearman(_ a: [Float], _ b: [Float]) -> Double {
        func ranks(_ v: [Float]) -> [Double] {
            var r = [Double](repeating: 0, count: v.count)
            for (k, i) in v.indices.sorted(by: { v[$0] < v[$1] }).enumerated() { r[i] = Double(k) }
            return r
        }
        let ra = ranks(a), rb = ranks(b), n = Double(a.count)
        let d2 = zip(ra, rb).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return 1 - 6 * d2 / (n * (n * n - 1))
    }

    @Test func trainingOnAPhotoMovesTheSaliencyAndLowersTheObjective() throws {
        let root = TrainerTests.packageRoot.appendingPathComponent("Samples/astronaut").path
        let sample = try SampleLoader.load(root)
        let x = sample.tokenSet.tokens, layout = sample.tokenSet.layout
        let trained = try DeFTModel(safetensors: root + "/weights.safetensors")
        let untrained = DeFTModel(untrained: DeFTConfig(tokenDim: x.cols, semanticDim: trained.config.semanticDim), seed: 0)
        let objective = ReconstructObjective()

        func measure(_ model: DeFTModel) throws -> (saliency: [Float], loss: Double, feedback: [Float]) {
            let z = DeFTPipeline.semantic(model, x)
            let g = TaskFeedback.gradient(objective, z: z, tokens: x, batch: 1, labels: nil).gradient
            let s = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: layout, feedback: g, reconstruction: false)[0]
            let keep = s.selection(ratio: 0.482, mode: .fast).isKept.map { $0 ? Float(1) : 0 }
            return (s.saliency, objective.evaluate(z: z, tokens: x, mask: keep, batch: 1, labels: nil).loss, s.feedback)
        }
        let a = try measure(untrained), b = try measure(trained)
        let rho = Self.spearman(a.saliency, b.saliency)
        print("astronaut: Spearman ρ(untrained, trained saliency) = \(rho); reconstruct loss at 48.2 %: \(a.loss) → \(b.loss)")
        #expect(rho < 0.8, "saliency barely moved: ρ = \(rho)")
        #expect(b.loss < 0.9 * a.loss, "the trained kept set should explain the photo better: \(a.loss) → \(b.loss)")
        #expect(b.feedback.allSatisfy { $0.isFinite } && b.feedback.filter { $0 > 0 }.count == b.feedback.count)
    }
}
