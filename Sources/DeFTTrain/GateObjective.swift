import DeFT

/// Trains the reconstruction gate `p_rec = σ(w·[z, u, c] + b)` (DeFT.md §4), which the spec uses but
/// gives no target for. The target here is the task's: hybrid mode brings a pruned token back as
/// `dec(enc(x))` at weight p_rec, so the classify head reads
/// `Σ m′_i z′_i / Σ m′_i` with `m′ = m + (1 − m)·p_rec` and `z′_i` the semantic vector of the
/// decoded token when i was pruned; the loss is the task's cross-entropy plus a price λ per restored
/// token, `λ · Σ (1 − m_i) p_rec,i / (B·N)`. The gate learns to restore the pruned tokens whose return
/// lowers the loss by more than λ. `m` is the hard top-k of the combined score, held fixed: only the
/// gate learns here. u and c come from per-token logits: the head applied to each token alone
/// (`W z_i + b`: what that token by itself says about the class).
public struct GateObjective: Sendable {
    public var cost: Float
    public init(cost: Float) { self.cost = cost }

    public struct Result: Sendable {
        public var loss: Double
        public var gradient: LinearGradient
        /// Share of the pruned tokens the gate would restore (p_rec > 0.5).
        public var restoredShare: Double
    }

    /// Each token's own logits under the head.
    public static func tokenLogits(_ head: ClassifyObjective, z: Matrix) -> Matrix { head.head.forward(z) }

    /// `z`: semantic vectors of the tokens; `restored`: those of their RTD reconstructions; `keep`: the
    /// hard mask (1 kept, 0 pruned).
    public func evaluate(model: DeFTModel, head: ClassifyObjective, z: Matrix, restored: Matrix, keep m: [Float],
                         batch: Int, labels: [Int]) -> Result {
        evaluate(model: model, objective: head, z: z, tokens: z, restored: (restored, restored),
                 logits: Self.tokenLogits(head, z: z), keep: m, batch: batch, labels: labels)
    }

    /// Any objective with per-token `logits`: a restored token is read as its reconstruction, in z
    /// (`restored.semantic`) by an objective that reads z, in token space (`restored.tokens`, dec(enc(x)))
    /// by one that reads the tokens (the reader).
    public func evaluate(model: DeFTModel, objective: any TaskObjective, z: Matrix, tokens x: Matrix,
                         restored: (semantic: Matrix, tokens: Matrix), logits: Matrix, keep m: [Float],
                         batch: Int, labels: [Int]) -> Result {
        let rows = z.rows, dz = z.cols, dx = x.cols
        let signals = DeFTPipeline.gateSignals(model, z: z, logits: logits)
        let p = signals.probability
        var zMixed = z, xMixed = x
        var mixed = [Float](repeating: 0, count: rows)
        var pruned = 0, restoredCount = 0
        for i in 0..<rows {
            mixed[i] = m[i] + (1 - m[i]) * p[i]
            if m[i] < 0.5 {
                pruned += 1
                if p[i] > 0.5 { restoredCount += 1 }
                for f in 0..<dz { zMixed.storage[i * dz + f] = restored.semantic.storage[i * dz + f] }
                for f in 0..<dx { xMixed.storage[i * dx + f] = restored.tokens.storage[i * dx + f] }
            }
        }
        let r = objective.evaluate(z: zMixed, tokens: xMixed, mask: mixed, batch: batch, labels: labels)
        let scale = cost / Float(rows)
        var loss = r.loss
        var dW = Matrix(rows: 1, cols: dz + 2), dB: Float = 0
        for i in 0..<rows where m[i] < 0.5 {
            loss += Double(scale * p[i])
            let dp = r.mask[i] + scale
            let da = dp * p[i] * (1 - p[i])
            for f in 0..<dz { dW.storage[f] += da * z.storage[i * dz + f] }
            dW.storage[dz] += da * signals.uncertainty[i]
            dW.storage[dz + 1] += da * signals.confidence[i]
            dB += da
        }
        return Result(loss: loss, gradient: LinearGradient(weight: dW, bias: [dB]),
                      restoredShare: pruned > 0 ? Double(restoredCount) / Double(pruned) : 0)
    }
}
