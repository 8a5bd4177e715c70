import DeFT

/// Accuracy of a trained module and head when only the kept tokens reach the head: the hard
/// top-k of the combined score (with task feedback from the head's own prediction — no label
/// is used to choose tokens), then the head over the mean of the kept semantic vectors.
public enum ClassifierEvaluation {
    /// Predicted classes at `ratio` (1 = every token).
    public static func predictions(model: DeFTModel, head: ClassifyObjective, inputs: [Matrix], layout: TokenLayout,
                                   ratio: Double, chunk: Int = 64) -> [Int] {
        let n = layout.count, k = TokenScores.keepCount(ratio: ratio, tokens: n)
        var out: [Int] = []
        for start in stride(from: 0, to: inputs.count, by: chunk) {
            let part = Array(inputs[start..<min(start + chunk, inputs.count)])
            let b = part.count
            let x = Matrix(rows: b * n, cols: part[0].cols, storage: part.flatMap(\.storage))
            var trace = ScoringTrace(model: model, tokens: x, batch: b, layout: layout)
            trace.setFeedback(TaskFeedback.signal(head, model: model, z: trace.z, tokens: x, batch: b, labels: nil))
            let mask = hardMask(trace.combined, batch: b, tokens: n, keep: k)
            out += head.evaluate(z: trace.z, tokens: x, mask: mask, batch: b, labels: nil).predictions ?? []
        }
        return out
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
