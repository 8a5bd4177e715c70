import DeFT

/// The feedback signal of DeFT.md §2 from a task objective: ∂L/∂z (∂L/∂x for an objective that reads
/// the tokens themselves) with every token present
/// (each input's own loss, so the batch-variance penalty compares like with like), turned into
/// s_fb by the pipeline's own formula.
public enum TaskFeedback {
    public static func gradient(_ objective: any TaskObjective, z: Matrix, tokens: Matrix, batch: Int,
                                labels: [Int]?) -> (loss: Double, gradient: Matrix) {
        let r = objective.evaluate(z: z, tokens: tokens, mask: SoftMask.all(count: z.rows).values,
                                   batch: batch, labels: labels)
        var g = r.tokens ?? r.semantic
        // evaluate() averages over the batch; undo it so each row is ∂L_b/∂z_b (one input: nothing to
        // undo, and no pass over — or copy of — a gradient that can be hundreds of MB).
        if batch > 1 { for i in g.storage.indices { g.storage[i] *= Float(batch) } }
        return (r.loss, g)
    }

    public static func signal(_ objective: any TaskObjective, model: DeFTModel, z: Matrix, tokens: Matrix,
                              batch: Int, labels: [Int]?) -> [Float] {
        let g = gradient(objective, z: z, tokens: tokens, batch: batch, labels: labels).gradient
        return DeFTPipeline.feedbackSignal(gradient: g, batch: batch, alphaVar: model.config.alphaVar)
    }
}
