import Foundation

/// The DeFT forward pass (DeFT.md §1–4), batched: B inputs of N tokens are B·N rows of one matrix,
/// so every layer is a single GEMM over the whole batch.
public enum DeFTPipeline {
    /// Scores a batch. `tokens`: B·N rows of width d (batch-major); `feedback` (∂L/∂z): B·N × d'
    /// or nil; `logits`: B·N × C or nil. `reconstruction`: also decode every token through the
    /// RTD to report its reconstruction error (hybrid/adaptive and the inspector want it; the fast
    /// path does not); `neighbours`: how text finds its neighbours. Returns one `TokenScores` per batch row.
    public static func score(_ model: DeFTModel, tokens: Matrix, batch: Int, layout: TokenLayout,
                             feedback: Matrix? = nil, logits: Matrix? = nil, reconstruction: Bool = false,
                             neighbours: NeighbourSearch = .auto) throws -> [TokenScores] {
        try validate(model, tokens: tokens, batch: batch, layout: layout, feedback: feedback, logits: logits)
        let forward = ScoringForward(model: model, tokens: tokens, batch: batch, layout: layout, neighbours: neighbours)
        return score(model, forward: forward, tokens: tokens, feedback: feedback, logits: logits, reconstruction: reconstruction)
    }

    /// Scores from a forward pass already run (its z fed a task objective for the feedback): the
    /// one place the three signals become `TokenScores`. Validate the inputs first (`validate`).
    public static func score(_ model: DeFTModel, forward: ScoringForward, tokens: Matrix,
                             feedback: Matrix? = nil, logits: Matrix? = nil, reconstruction: Bool = false) -> [TokenScores] {
        let n = forward.tokens, batch = forward.batch
        let fb = feedback.map { feedbackSignal(gradient: $0, batch: batch, alphaVar: model.config.alphaVar) }
        let fbZ = forward.feedbackZ(fb)
        let combined = forward.combined(feedbackZ: fbZ)
        let gate = logits.map { gateSignals(model, z: forward.z, logits: $0) }
        let recError = reconstruction ? reconstructionErrors(model, tokens) : nil

        return (0..<batch).map { b in
            let rows = (b * n)..<((b + 1) * n)
            let s = Array(combined[rows])
            let rowGate = gate.map {
                GateSignals(probability: Array($0.probability[rows]), uncertainty: Array($0.uncertainty[rows]),
                            confidence: Array($0.confidence[rows]))
            }
            return TokenScores(
                layout: forward.layout, saliency: Array(forward.saliency[rows]),
                feedback: fb.map { Array($0[rows]) } ?? [Float](repeating: 0, count: n), group: Array(forward.group[rows]),
                saliencyZ: Array(forward.saliencyZ[rows]), feedbackZ: Array(fbZ[rows]), groupZ: Array(forward.groupZ[rows]),
                combined: s, mixture: forward.mixture,
                hasFeedback: fb != nil, ranking: ranking(s),
                selectionEntropy: RowStatistics.selectionEntropy(s[...]),
                gate: rowGate, reconstructionError: recError.map { Array($0[rows]) }, canReconstruct: model.rtd != nil,
                adaptive: adaptiveDecision(model, gate: rowGate),
                semanticNeighbours: forward.textNeighbours)
        }
    }

    /// z = W2 · relu(W1 · x + b1) + b2 for every row (DeFT.md §1).
    /// For inputs that need z alone (merged tokens, RTD reconstructions, a baseline's head).
    public static func semantic(_ model: DeFTModel, _ tokens: Matrix) -> Matrix {
        model.sam2.forward(model.sam1.forward(tokens, relu: true))
    }

    /// RTD codes enc(x) (nil when the model has no RTD).
    public static func encode(_ model: DeFTModel, _ tokens: Matrix) -> Matrix? {
        guard let rtd = model.rtd else { return nil }
        return rtd.encoder2.forward(rtd.encoder1.forward(tokens, relu: true))
    }

    /// dec(c) for RTD codes.
    public static func decode(_ model: DeFTModel, _ codes: Matrix) -> Matrix? {
        guard let rtd = model.rtd else { return nil }
        return rtd.decoder2.forward(rtd.decoder1.forward(codes, relu: true))
    }

    /// x̂ = dec(enc(x)) (nil when the model has no RTD).
    public static func reconstruct(_ model: DeFTModel, _ tokens: Matrix) -> Matrix? {
        encode(model, tokens).flatMap { decode(model, $0) }
    }

    /// s_fb from a gradient ∂L/∂z (DeFT.md §2): `‖g[b,i]‖ · exp(−α · v[i])`, v[i] the mean over
    /// features of the unbiased variance across the batch (0 when B = 1).
    public static func feedbackSignal(gradient g: Matrix, batch: Int, alphaVar: Float) -> [Float] {
        let rows = g.rows, d = g.cols
        let n = rows / max(batch, 1)
        var out = [Float](repeating: 0, count: rows)
        var variance = [Double](repeating: 0, count: n)
        g.storage.withUnsafeBufferPointer { p in
            if batch > 1 {
                for i in 0..<n {
                    var acc = 0.0
                    for f in 0..<d {
                        var mean = 0.0
                        for b in 0..<batch { mean += Double(p[(b * n + i) * d + f]) }
                        mean /= Double(batch)
                        var sq = 0.0
                        for b in 0..<batch { let x = Double(p[(b * n + i) * d + f]) - mean; sq += x * x }
                        acc += sq / Double(batch - 1)
                    }
                    variance[i] = acc / Double(d)
                }
            }
            for r in 0..<rows {
                var sq = 0.0
                for f in 0..<d { let x = Double(p[r * d + f]); sq += x * x }
                out[r] = Float(sq.squareRoot() * exp(-Double(alphaVar) * variance[r % n]))
            }
        }
        return out
    }

    /// Uncertainty, confidence and p_rec = σ(w·[z, u, c] + b) for every row (DeFT.md §4).
    public static func gateSignals(_ model: DeFTModel, z: Matrix, logits: Matrix) -> GateSignals {
        let rows = z.rows, c = logits.cols, dz = z.cols
        var u = [Float](repeating: 0, count: rows), conf = u, prob = u
        let w = model.gate.weight.storage, bias = model.gate.bias[0]
        logits.storage.withUnsafeBufferPointer { lp in
            z.storage.withUnsafeBufferPointer { zp in
                for r in 0..<rows {
                    let row = lp.baseAddress! + r * c
                    var m = -Float.infinity
                    for j in 0..<c { m = max(m, row[j]) }
                    var total = 0.0
                    for j in 0..<c { total += exp(Double(row[j] - m)) }
                    let logZ = Double(m) + log(total)
                    var h = 0.0, best = 0.0
                    for j in 0..<c {
                        let lp = Double(row[j]) - logZ, p = exp(lp)
                        h -= p * lp
                        best = max(best, p)
                    }
                    u[r] = Float(h); conf[r] = Float(best)
                    var acc = Double(bias)
                    for f in 0..<dz { acc += Double(w[f]) * Double(zp[r * dz + f]) }
                    acc += Double(w[dz]) * Double(u[r]) + Double(w[dz + 1]) * Double(conf[r])
                    prob[r] = RowStatistics.sigmoid(Float(acc))
                }
            }
        }
        return GateSignals(probability: prob, uncertainty: u, confidence: conf)
    }

    /// ‖x − dec(enc(x))‖ / ‖x‖ per row: how much a pruned token loses by being stored as a code.
    static func reconstructionErrors(_ model: DeFTModel, _ tokens: Matrix) -> [Float]? {
        guard let xhat = reconstruct(model, tokens) else { return nil }
        let d = tokens.cols
        return (0..<tokens.rows).map { r in
            var diff = 0.0, norm = 0.0
            for f in 0..<d {
                let x = Double(tokens.storage[r * d + f])
                let e = x - Double(xhat.storage[r * d + f])
                diff += e * e; norm += x * x
            }
            return Float((diff / max(norm, 1e-24)).squareRoot())
        }
    }

    /// The adaptive rule (the reference's `get_inference_path`), per input.
    static func adaptiveDecision(_ model: DeFTModel, gate: GateSignals?) -> AdaptiveDecision {
        guard model.rtd != nil else {
            return AdaptiveDecision(path: .fast, meanUncertainty: nil, meanConfidence: nil,
                                    reason: "no recoverable token dictionary: fast")
        }
        guard let gate, !gate.uncertainty.isEmpty else {
            return AdaptiveDecision(path: .fast, meanUncertainty: nil, meanConfidence: nil,
                                    reason: "no logits to measure uncertainty: fast")
        }
        let n = Float(gate.uncertainty.count)
        let mu = gate.uncertainty.reduce(0, +) / n, mc = gate.confidence.reduce(0, +) / n
        let fmt = { (v: Float) in String(format: "%.3f", v) }
        let reason: String, path: InferenceMode
        if mu > 0.5 {
            path = .hybrid; reason = "mean uncertainty \(fmt(mu)) > 0.5: hybrid"
        } else if mc < 0.7 {
            path = .hybrid; reason = "mean confidence \(fmt(mc)) < 0.7: hybrid"
        } else {
            path = .fast; reason = "uncertainty \(fmt(mu)) ≤ 0.5 and confidence \(fmt(mc)) ≥ 0.7: fast"
        }
        return AdaptiveDecision(path: path, meanUncertainty: mu, meanConfidence: mc, reason: reason)
    }

    /// Token indices by descending score; equal scores keep the lower index first.
    public static func ranking(_ s: [Float]) -> [Int] {
        Array(s.indices).sorted { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }
    }

    public static func validate(_ model: DeFTModel, tokens: Matrix, batch: Int, layout: TokenLayout,
                         feedback: Matrix?, logits: Matrix?) throws {
        let n = layout.count, d = model.config.tokenDim, s = model.config.semanticDim
        guard n > 0, batch > 0 else { throw DeFTError("tokens", "no tokens to score") }
        guard tokens.cols == d else {
            throw DeFTError("tokens", "tokens have width d=\(tokens.cols) but the weights expect d=\(d)")
        }
        guard tokens.rows == batch * n else {
            throw DeFTError("tokens", "\(tokens.rows) token rows do not make \(batch) input(s) of \(n) tokens")
        }
        // ∂L/∂x (width d) serves when the model downstream reads the tokens rather than z: s_fb uses only
        // each row's norm and its variance across the batch.
        if let g = feedback, g.rows != tokens.rows || (g.cols != s && g.cols != d) {
            throw DeFTError("gradient", "∂L/∂z is \(g.rows)×\(g.cols) but must be \(tokens.rows)×\(s) (tokens × semantic dim)")
        }
        if let l = logits, l.rows != tokens.rows || l.cols < 1 {
            throw DeFTError("logits", "logits are \(l.rows)×\(l.cols) but must have one row per token (\(tokens.rows))")
        }
        if logits != nil, model.gate.inputWidth != s + 2 {
            throw DeFTError("weights", "the reconstruction gate has width \(model.gate.inputWidth), needs \(s + 2)")
        }
    }
}
