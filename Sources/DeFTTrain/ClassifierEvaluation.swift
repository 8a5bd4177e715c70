import DeFT

/// Accuracy of a trained module and head when only the kept tokens reach the head: the
/// scoring service's ranking (feedback from the head's own prediction — no label is used to choose
/// tokens), then the head over the mean of the kept semantic vectors. In hybrid, the pruned tokens
/// the gate brings back are read too, each as the semantic vector of its RTD reconstruction.
public enum ClassifierEvaluation {
    /// Predicted classes at `ratio` (1 = every token).
    public static func predictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                   ratio: Double, chunk: Int = 64) throws -> [Int] {
        try predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: ratio, mode: .fast, chunk: chunk).predictions
    }

    /// Predictions under `mode`, and the mean number of pruned tokens restored per input.
    public static func predictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                   ratio: Double, mode: InferenceMode, chunk: Int = 64) throws -> (predictions: [Int], restored: Double) {
        let service = ScoringService(model: model, head: head)
        let n = layout.count
        var out: [Int] = [], restored = 0
        for start in stride(from: 0, to: inputs.count, by: chunk) {
            let part = Array(inputs[start..<min(start + chunk, inputs.count)])
            let b = part.count
            let x = Matrix(rows: b * n, cols: part[0].cols, storage: part.flatMap(\.storage))
            let outcome = try service.score(tokens: x, batch: b, layout: layout)
            var z = outcome.forward.z
            let restoredZ = mode == .fast ? nil : DeFTPipeline.reconstruct(model, x).map { DeFTPipeline.semantic(model, $0) }
            var mask = [Float](repeating: 0, count: b * n)
            for (i, scores) in outcome.rows.enumerated() {
                let sel = scores.selection(ratio: ratio, mode: mode)
                for t in sel.kept { mask[i * n + t] = 1 }
                guard let zr = restoredZ else { continue }
                for t in sel.reconstructed {
                    let r = i * n + t, d = z.cols
                    mask[r] = 1
                    for f in 0..<d { z.storage[r * d + f] = zr.storage[r * d + f] }
                }
                restored += sel.reconstructed.count
            }
            out += head.evaluate(z: z, tokens: x, mask: mask, batch: b, labels: nil).predictions ?? []
        }
        return (out, Double(restored) / Double(max(inputs.count, 1)))
    }

    /// 1 for the k best scores of each input, 0 elsewhere, ranked as the pipeline ranks.
    public static func hardMask(_ s: [Float], batch: Int, tokens n: Int, keep k: Int) -> [Float] {
        var m = [Float](repeating: 0, count: s.count)
        for b in 0..<batch {
            for i in DeFTPipeline.ranking(Array(s[(b * n)..<((b + 1) * n)])).prefix(k) { m[b * n + i] = 1 }
        }
        return m
    }

    public static func accuracy(_ predicted: [Int], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}
