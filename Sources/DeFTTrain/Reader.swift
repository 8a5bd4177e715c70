import DeFT
import Foundation

/// The reader: a small stand-in for the language model that consumes the visual tokens DeFT keeps.
/// It reads the tokens themselves (not DeFT's z), each with its own learned position embedding on the
/// encoder's grid (a language model sees where a token came from), through learned queries that
/// cross-attend over them, then an MLP to the classes:
///
///     u_i = W_in·x̃_i + b_in + P[i]            x̃: the token standardised by fixed training statistics
///     α_ji = m_i·e^(q_j·u_i/√h) / Σ_k m_k·e^(q_j·u_k/√h)
///     o_j = Σ_i α_ji u_i,   logits = W_out·relu(W_hid·[o_1 … o_Q] + b_hid) + b_out
///
/// The keep mask m multiplies the attention weights' numerators, which is adding log m to the logits:
/// a token with m = 0 is exactly not read, and one with m = 1 is read as if nothing were pruned. So the
/// loss reaches DeFT's scores only through m, and `∂L/∂m_i = Σ_j (e_ji/Z_j)(g_ji − ḡ_j)` (g_ji = ∂L/∂o_j·u_i,
/// ḡ_j = Σ_i α_ji g_ji) needs no division by m (0 for a token at m = 0 exactly: out of reach). DeFT's feedback signal is the all-token loss's gradient
/// on the tokens the reader reads, ∂L/∂x (the reader never sees z, so ∂L/∂z is zero).
public struct Reader: TaskObjective {
    public var name: String { "reader" }
    public let gridHeight: Int, gridWidth: Int
    public var input: Linear          // h × d
    public var position: Matrix       // N × h
    public var queries: Matrix        // Q × h
    public var hidden: Linear         // H × Q·h
    public var output: Linear         // C × H
    /// Fixed per-feature standardisation (from the training tokens), not learned.
    public let inputMean: [Float], inputScale: [Float]

    public var tokens: Int { gridHeight * gridWidth }
    public var tokenDim: Int { input.inputWidth }
    public var width: Int { input.outputWidth }
    public var queryCount: Int { queries.rows }
    public var classes: Int { output.outputWidth }

    public init(tokenDim d: Int, gridHeight: Int, gridWidth: Int, classes: Int, width h: Int = 64, queries q: Int = 4,
                hiddenWidth: Int = 128, inputMean: [Float]? = nil, inputScale: [Float]? = nil, seed: UInt64) {
        var rng = SplitMix64(seed: seed ^ 0x2EAD_E250)
        self.gridHeight = gridHeight; self.gridWidth = gridWidth
        input = Linear(inputs: d, outputs: h, rng: &rng)
        let n = gridHeight * gridWidth
        position = Matrix(rows: n, cols: h, storage: (0..<(n * h)).map { _ in rng.nextFloat(in: -0.1...0.1) })
        queries = Matrix(rows: q, cols: h, storage: (0..<(q * h)).map { _ in rng.nextFloat(in: -0.5...0.5) })
        hidden = Linear(inputs: q * h, outputs: hiddenWidth, rng: &rng)
        output = Linear(inputs: hiddenWidth, outputs: classes, rng: &rng)
        self.inputMean = inputMean ?? [Float](repeating: 0, count: d)
        self.inputScale = inputScale ?? [Float](repeating: 1, count: d)
        precondition(self.inputMean.count == d && self.inputScale.count == d)
    }

    /// Per-feature mean and 1/standard deviation of `sample` (rows of tokens), for `inputMean`/`inputScale`.
    public static func standardisation(_ sample: Matrix) -> (mean: [Float], scale: [Float]) {
        let d = sample.cols, rows = max(sample.rows, 1)
        var sum = [Double](repeating: 0, count: d), sq = sum
        for r in 0..<sample.rows {
            for f in 0..<d { let v = Double(sample.storage[r * d + f]); sum[f] += v; sq[f] += v * v }
        }
        let mean = sum.map { $0 / Double(rows) }
        let scale = (0..<d).map { f in Float(1 / max((sq[f] / Double(rows) - mean[f] * mean[f]).squareRoot(), 1e-4)) }
        return (mean.map(Float.init), scale)
    }

    public mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows {
        try body("reader.input.weight", &input.weight.storage)
        try body("reader.input.bias", &input.bias)
        try body("reader.position", &position.storage)
        try body("reader.queries", &queries.storage)
        try body("reader.hidden.weight", &hidden.weight.storage)
        try body("reader.hidden.bias", &hidden.bias)
        try body("reader.output.weight", &output.weight.storage)
        try body("reader.output.bias", &output.bias)
    }

    /// What the backward needs from the forward.
    struct Pass {
        var standardised: Matrix   // B·N × d
        var u: Matrix              // B·N × h
        var weights: [Float]       // e_ji / Z_j, [row · Q + j]
        var alpha: [Float]         // α_ji, [row · Q + j]
        var pooled: Matrix         // B × Q·h
        var hiddenOut: Matrix      // B × H, after the ReLU
        var logits: Matrix         // B × C
    }

    func standardise(_ x: Matrix) -> Matrix {
        precondition(x.cols == tokenDim, "the reader reads width \(tokenDim), got \(x.cols)")
        var out = x
        let d = x.cols
        out.storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<x.rows { for f in 0..<d { p[r * d + f] = (p[r * d + f] - inputMean[f]) * inputScale[f] } }
        }
        return out
    }

    /// u = W_in·x̃ + b_in + P, for B inputs of N tokens each.
    func embed(_ xs: Matrix) -> Matrix {
        var u = input.forward(xs)
        let h = width, n = tokens
        u.storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<u.rows { for f in 0..<h { p[r * h + f] += position.storage[(r % n) * h + f] } }
        }
        return u
    }

    func forward(tokens x: Matrix, mask m: [Float], batch: Int) -> Pass {
        let n = tokens, h = width, q = queryCount
        precondition(x.rows == batch * n && m.count == x.rows, "the reader reads \(n) tokens per input")
        let xs = standardise(x)
        let u = embed(xs)
        let s = BLAS.matmul(u, queries, transB: true)   // B·N × Q
        let inv = 1 / Float(h).squareRoot()
        var weights = [Float](repeating: 0, count: x.rows * q), alpha = weights
        var pooled = Matrix(rows: batch, cols: q * h)
        for b in 0..<batch {
            for j in 0..<q {
                var top = -Float.infinity
                for i in 0..<n where m[b * n + i] > 0 { top = max(top, s.storage[(b * n + i) * q + j] * inv) }
                guard top > -.infinity else { continue }   // nothing to read: the query returns zero
                var z: Float = 0
                for i in 0..<n where m[b * n + i] > 0 {
                    let e = exp(s.storage[(b * n + i) * q + j] * inv - top)
                    weights[(b * n + i) * q + j] = e
                    z += m[b * n + i] * e
                }
                for i in 0..<n where m[b * n + i] > 0 {
                    let r = b * n + i
                    weights[r * q + j] /= z
                    alpha[r * q + j] = m[r] * weights[r * q + j]
                }
            }
        }
        // o_b = α_bᵀ · U_b (Q × h), one GEMM per input.
        alpha.withUnsafeBufferPointer { a in
            u.storage.withUnsafeBufferPointer { up in
                pooled.storage.withUnsafeMutableBufferPointer { o in
                    for b in 0..<batch {
                        BLAS.gemm(transA: true, transB: false, m: q, n: h, k: n, a: a.baseAddress! + b * n * q, lda: q,
                                  b: up.baseAddress! + b * n * h, ldb: h, c: o.baseAddress! + b * q * h, ldc: h)
                    }
                }
            }
        }
        let hid = hidden.forward(pooled, relu: true)
        return Pass(standardised: xs, u: u, weights: weights, alpha: alpha, pooled: pooled, hiddenOut: hid,
                    logits: output.forward(hid))
    }

    /// Gradients of the parameters, the mask and the tokens, given ∂L/∂logits.
    func backward(_ p: Pass, gradLogits: Matrix, batch: Int) -> (parameters: Gradients, mask: [Float], tokens: Matrix) {
        let n = tokens, h = width, q = queryCount, rows = batch * n
        let bo = output.backward(input: p.hiddenOut, gradOutput: gradLogits)
        var dHid = bo.input!
        dHid.maskReLU(activations: p.hiddenOut)
        let bh = hidden.backward(input: p.pooled, gradOutput: dHid)
        let dPooled = bh.input!
        let inv = 1 / Float(h).squareRoot()
        // G_b = U_b · dO_bᵀ (N × Q): g_ji for every token and query, one GEMM per input.
        var g = Matrix(rows: rows, cols: q)
        p.u.storage.withUnsafeBufferPointer { up in
            dPooled.storage.withUnsafeBufferPointer { dp in
                g.storage.withUnsafeMutableBufferPointer { gp in
                    for b in 0..<batch {
                        BLAS.gemm(transA: false, transB: true, m: n, n: q, k: h, a: up.baseAddress! + b * n * h, lda: h,
                                  b: dp.baseAddress! + b * q * h, ldb: h, c: gp.baseAddress! + b * n * q, ldc: q)
                    }
                }
            }
        }
        var dS = Matrix(rows: rows, cols: q)
        var dM = [Float](repeating: 0, count: rows)
        for b in 0..<batch {
            for j in 0..<q {
                var mean: Float = 0
                for i in 0..<n { let r = b * n + i; mean += p.alpha[r * q + j] * g.storage[r * q + j] }
                for i in 0..<n {
                    let r = b * n + i, centred = g.storage[r * q + j] - mean
                    dM[r] += p.weights[r * q + j] * centred
                    dS.storage[r * q + j] = p.alpha[r * q + j] * centred * inv
                }
            }
        }
        // dU = α_b · dO_b (per input) + dS · Q; dQ = dSᵀ · U.
        var dU = BLAS.matmul(dS, queries)
        let dQ = BLAS.matmul(dS, p.u, transA: true)
        p.alpha.withUnsafeBufferPointer { a in
            dPooled.storage.withUnsafeBufferPointer { dp in
                dU.storage.withUnsafeMutableBufferPointer { du in
                    for b in 0..<batch {
                        BLAS.gemm(transA: false, transB: false, m: n, n: h, k: q, a: a.baseAddress! + b * n * q, lda: q,
                                  b: dp.baseAddress! + b * q * h, ldb: h, beta: 1, c: du.baseAddress! + b * n * h, ldc: h)
                    }
                }
            }
        }
        var dP = Matrix(rows: n, cols: h)
        for r in 0..<rows { for f in 0..<h { dP.storage[(r % n) * h + f] += dU.storage[r * h + f] } }
        let bi = input.backward(input: p.standardised, gradOutput: dU)
        var dX = bi.input!
        let d = tokenDim
        for r in 0..<rows { for f in 0..<d { dX.storage[r * d + f] *= inputScale[f] } }
        var grads = Gradients()
        grads.add("reader.input", bi.gradient)
        grads.add("reader.position", dP.storage)
        grads.add("reader.queries", dQ.storage)
        grads.add("reader.hidden", bh.gradient)
        grads.add("reader.output", bo.gradient)
        return (grads, dM, dX)
    }

    /// The class logits of B inputs read through the mask (1: every token).
    public func logits(tokens x: Matrix, mask: [Float], batch: Int) -> Matrix {
        forward(tokens: x, mask: mask, batch: batch).logits
    }

    public func predictions(tokens x: Matrix, mask: [Float], batch: Int) -> [Int] {
        let l = logits(tokens: x, mask: mask, batch: batch), c = classes
        return (0..<batch).map { b in
            var best = 0
            for j in 1..<c where l.storage[b * c + j] > l.storage[b * c + best] { best = j }
            return best
        }
    }

    /// Each token's own logits: the reader given that token alone (every query then returns it),
    /// what the reconstruction gate's uncertainty and confidence are measured on.
    public func tokenLogits(tokens x: Matrix) -> Matrix {
        let u = embed(standardise(x)), h = width, q = queryCount
        var pooled = Matrix(rows: x.rows, cols: q * h)
        for r in 0..<x.rows {
            for j in 0..<q { for f in 0..<h { pooled.storage[r * q * h + j * h + f] = u.storage[r * h + f] } }
        }
        return output.forward(hidden.forward(pooled, relu: true))
    }

    public func tokenLogits(z: Matrix, tokens x: Matrix) -> Matrix? { tokenLogits(tokens: x) }

    /// Cross-entropy over the batch against `labels` (nil: the reader's own prediction through the same
    /// mask, as at inference where no label exists). ∂L/∂z is zero: the reader reads the tokens.
    public func evaluate(z: Matrix, tokens x: Matrix, mask m: [Float], batch: Int, labels: [Int]?) -> ObjectiveResult {
        let pass = forward(tokens: x, mask: m, batch: batch)
        let c = classes
        var loss = 0.0
        var dLogits = Matrix(rows: batch, cols: c)
        var predictions = [Int](repeating: 0, count: batch)
        for b in 0..<batch {
            let p = RowStatistics.softmax(pass.logits.storage[(b * c)..<((b + 1) * c)])
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            predictions[b] = best
            let target = labels?[b] ?? best
            loss -= log(max(Double(p[target]), 1e-30))
            for j in 0..<c { dLogits.storage[b * c + j] = (p[j] - (j == target ? 1 : 0)) / Float(batch) }
        }
        let back = backward(pass, gradLogits: dLogits, batch: batch)
        var result = ObjectiveResult(loss: loss / Double(batch), semantic: Matrix(rows: z.rows, cols: z.cols), mask: back.mask,
                                     parameters: back.parameters, predictions: predictions)
        result.tokens = back.tokens
        return result
    }
}
