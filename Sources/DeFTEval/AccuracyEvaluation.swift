import DeFT
import DeFTTrain

/// Classification accuracy when only k tokens reach a frozen model and head, for DeFT and each
/// baseline. Every method cuts the same inputs to the same k; only the choice of tokens differs.
/// No label is used to choose tokens (DeFT's feedback comes from the head's own prediction).
public enum AccuracyEvaluation {
    public static func predictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                   method: Method, ratio: Double, seed: UInt64 = 0) throws -> [Int] {
        guard !inputs.isEmpty else { return [] }
        if method == .deft {
            return try ClassifierEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: ratio)
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
        let saliency = method == .saliency ? ScoringForward(model: model, tokens: x, batch: b, layout: layout).saliency : []
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

    /// DeFT in hybrid mode: the hard top-k plus the pruned tokens the reconstruction gate brings
    /// back (p_rec > 0.5), read as their RTD reconstructions. Per-token logits are the head on each
    /// token alone (as the gate trained). Returns the predictions and the mean number of tokens
    /// restored per input (nil without an RTD).
    public static func hybridPredictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                         ratio: Double, chunk: Int = 64) throws -> (predictions: [Int], restored: Double)? {
        guard model.rtd != nil else { return nil }
        return try ClassifierEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: ratio,
                                                    mode: .hybrid, chunk: chunk)
    }
}
