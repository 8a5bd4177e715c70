import DeFT
import DeFTTrain

/// Classification accuracy when only k tokens reach a frozen model and head, for DeFT and each
/// baseline. Every method cuts the same inputs to the same k; only the choice of tokens differs.
/// No label is used to choose tokens (DeFT's feedback comes from the head's own prediction).
public enum AccuracyEvaluation {
    public static func predictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                   method: Method, ratio: Double, seed: UInt64 = 0) -> [Int] {
        guard !inputs.isEmpty else { return [] }
        if method == .deft {
            return ClassifierEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: ratio)
        }
        let n = layout.count, k = TokenScores.keepCount(ratio: ratio, tokens: n), b = inputs.count
        let x = Matrix(rows: b * n, cols: inputs[0].cols, storage: inputs.flatMap(\.storage))
        let z = DeFTPipeline.semantic(model, x)
        if method == .tome {
            // The head reads the k merged tokens, each counted once (no proportional weighting:
            // with it, a mean-pooling head would see the all-token mean whatever was merged).
            let merged = (0..<b).map { i -> Matrix in
                let rows = (i * n)..<((i + 1) * n)
                let anchors = TokenMerging(metric: z.rows(rows)).anchors(keeping: k)
                return TokenMerging.mergedTokens(inputs[i], anchors: anchors)
            }
            let mx = Matrix(rows: b * k, cols: x.cols, storage: merged.flatMap(\.storage))
            let mz = DeFTPipeline.semantic(model, mx)
            return head.evaluate(z: mz, tokens: mx, mask: [Float](repeating: 1, count: b * k), batch: b, labels: nil).predictions ?? []
        }
        let saliency = method == .saliency ? DeFTPipeline.saliency(model, z) : []
        let uniform = BaselineRankings.uniform(layout)
        var mask = [Float](repeating: 0, count: b * n)
        for i in 0..<b {
            let ranking: [Int]
            switch method {
            case .random: ranking = BaselineRankings.random(count: n, seed: seed &+ UInt64(i))
            case .uniform: ranking = uniform
            case .norm: ranking = BaselineRankings.norm(inputs[i])
            case .saliency: ranking = DeFTPipeline.ranking(Array(saliency[(i * n)..<((i + 1) * n)]))
            case .deft, .tome: preconditionFailure("handled above")
            }
            for t in ranking.prefix(k) { mask[i * n + t] = 1 }
        }
        return head.evaluate(z: z, tokens: x, mask: mask, batch: b, labels: nil).predictions ?? []
    }

    /// DeFT in hybrid mode, through the pipeline's own path: the hard top-k plus the pruned tokens
    /// the reconstruction gate brings back (p_rec > 0.5), each read as the semantic vector of its
    /// RTD reconstruction. Per-token logits are the head on each token alone (as the gate trained).
    /// Returns the predictions and the mean number of tokens restored per input (nil without an RTD).
    public static func hybridPredictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                         ratio: Double, chunk: Int = 64) throws -> (predictions: [Int], restored: Double)? {
        guard model.rtd != nil else { return nil }
        let n = layout.count
        var out: [Int] = [], restored = 0
        for start in stride(from: 0, to: inputs.count, by: chunk) {
            let part = Array(inputs[start..<min(start + chunk, inputs.count)])
            let b = part.count
            let x = Matrix(rows: b * n, cols: part[0].cols, storage: part.flatMap(\.storage))
            let z = DeFTPipeline.semantic(model, x)
            let zr = DeFTPipeline.semantic(model, DeFTPipeline.reconstruct(model, x)!)
            let feedback = TaskFeedback.gradient(head, z: z, tokens: x, batch: b, labels: nil).gradient
            let rows = try DeFTPipeline.score(model, tokens: x, batch: b, layout: layout, feedback: feedback,
                                              logits: GateObjective.tokenLogits(head, z: z))
            var zMixed = z
            var mask = [Float](repeating: 0, count: b * n)
            for (i, scores) in rows.enumerated() {
                let sel = scores.selection(ratio: ratio, mode: .hybrid)
                for t in sel.kept { mask[i * n + t] = 1 }
                for t in sel.reconstructed {
                    let r = i * n + t
                    mask[r] = 1
                    for f in 0..<z.cols { zMixed.storage[r * z.cols + f] = zr.storage[r * z.cols + f] }
                }
                restored += sel.reconstructed.count
            }
            out += head.evaluate(z: zMixed, tokens: zMixed, mask: mask, batch: b, labels: nil).predictions ?? []
        }
        return (out, Double(restored) / Double(max(inputs.count, 1)))
    }
}
