import COpenBLAS
import DeFT
import Foundation

/// The scoring forward pass with its activations kept, and its exact backward.
///
/// The forward is the inference pipeline's own (`ScoringForward`), so what training optimises is
/// what `deft score` and the viewer show. The feedback term enters as a constant: it is itself a
/// gradient (∂L/∂z), and differentiating through it would need second derivatives.
public struct ScoringTrace: Sendable {
    public let forward: ScoringForward
    let x: Matrix
    /// Directed neighbour edges of one input (i, j, 1/|G(i)|): s_group[i] = Σ w·cos(z_i, z_j)·s_sem[j].
    let edges: [(i: Int, j: Int, w: Float)]
    public private(set) var feedbackZ: [Float]
    public private(set) var combined: [Float]

    public var batch: Int { forward.batch }
    public var layout: TokenLayout { forward.layout }
    public var tokens: Int { forward.tokens }
    public var z: Matrix { forward.z }
    public var saliency: [Float] { forward.saliency }

    /// `feedback`: s_fb for the B·N tokens (nil: no task loss, its normalised term is 0).
    public init(model: DeFTModel, tokens x: Matrix, batch: Int, layout: TokenLayout, feedback: [Float]? = nil) {
        let n = layout.count
        forward = ScoringForward(model: model, tokens: x, batch: batch, layout: layout, keepActivations: true)
        self.x = x
        if let t = forward.textNeighbours {
            let k = n > 0 ? t.count / n : 0
            edges = k == 0 ? [] : (0..<n).flatMap { i in (0..<k).map { (i, t[i * k + $0], 1 / Float(k)) } }
        } else {
            let pairs = GroupScore.neighbourPairs(layout)
            var count = [Float](repeating: 0, count: n)
            for (i, j) in pairs { count[i] += 1; count[j] += 1 }
            edges = pairs.flatMap { [($0.0, $0.1, 1 / count[$0.0]), ($0.1, $0.0, 1 / count[$0.1])] }
        }
        feedbackZ = []; combined = []
        setFeedback(feedback)
    }

    /// Replaces the feedback signal (nil: none) and recomputes the combined score; z does not
    /// depend on it, so a feedback pass needs no second forward.
    public mutating func setFeedback(_ feedback: [Float]?) {
        feedbackZ = forward.feedbackZ(feedback)
        combined = forward.combined(feedbackZ: feedbackZ)
    }

    /// Gradients of the SAM, the scoring MLP and the mixture logits, given ∂L/∂s (combined
    /// scores) and ∂L/∂z from paths that use z directly (a task head); either may be absent.
    public func backward(model: DeFTModel, combined dS: [Float]?, semantic dZdirect: Matrix?) -> Gradients {
        let n = layout.count, rows = batch * n, d = z.cols
        let f = forward, beta = f.mixture, saliency = f.saliency, zn = f.normalised
        let a1 = f.scoreHidden1!, a2 = f.scoreHidden2!, h1 = f.samHidden!
        var grads = Gradients()
        var dZ = dZdirect ?? Matrix(rows: rows, cols: d)
        precondition(dZ.rows == rows && dZ.cols == d)
        var dSal = [Float](repeating: 0, count: rows)

        if let dS {
            // s = Σ β_c ẑ_c; β = softmax(θ).
            var dBeta = [Float](repeating: 0, count: 3)
            for r in 0..<rows {
                dBeta[0] += dS[r] * f.saliencyZ[r]; dBeta[1] += dS[r] * feedbackZ[r]; dBeta[2] += dS[r] * f.groupZ[r]
            }
            let dot = zip(beta, dBeta).map(*).reduce(0, +)
            grads.add("scoring.mixture_logits", (0..<3).map { beta[$0] * (dBeta[$0] - dot) })

            let dSalZ = dS.map { $0 * beta[0] }, dGroupZ = dS.map { $0 * beta[2] }
            var dGroup = [Float](repeating: 0, count: rows)
            for b in 0..<batch {
                let range = (b * n)..<((b + 1) * n)
                let gs = Self.zScoreBackward(values: saliency[range], grad: dSalZ[range])
                let gg = Self.zScoreBackward(values: f.group[range], grad: dGroupZ[range])
                for (o, r) in range.enumerated() { dSal[r] += gs[o]; dGroup[r] = gg[o] }
            }
            // s_group[i] = Σ_j w_ij (zn_i·zn_j) s_sem[j].
            var dZn = Matrix(rows: rows, cols: d)
            zn.storage.withUnsafeBufferPointer { zp in
                dZn.storage.withUnsafeMutableBufferPointer { gp in
                    for b in 0..<batch {
                        let base = b * n
                        for e in edges where dGroup[base + e.i] != 0 {
                            let pi = zp.baseAddress! + (base + e.i) * d, pj = zp.baseAddress! + (base + e.j) * d
                            let c = cblas_sdot(blasint(d), pi, 1, pj, 1)
                            let g = dGroup[base + e.i] * e.w
                            dSal[base + e.j] += g * c
                            let dc = g * saliency[base + e.j]
                            cblas_saxpy(blasint(d), dc, pj, 1, gp.baseAddress! + (base + e.i) * d, 1)
                            cblas_saxpy(blasint(d), dc, pi, 1, gp.baseAddress! + (base + e.j) * d, 1)
                        }
                    }
                }
            }
            dZ.add(RowNormalisation.backward(normalised: zn, norms: f.norms, gradient: dZn))
        }

        // s_sem = σ(score3(relu(score2(relu(score1(z)))))).
        var dOut = Matrix(rows: rows, cols: 1)
        for r in 0..<rows { dOut.storage[r] = dSal[r] * saliency[r] * (1 - saliency[r]) }
        let g3 = model.score3.backward(input: a2, gradOutput: dOut)
        var dA2 = g3.input!
        dA2.maskReLU(activations: a2)
        let g2 = model.score2.backward(input: a1, gradOutput: dA2)
        var dA1 = g2.input!
        dA1.maskReLU(activations: a1)
        let g1 = model.score1.backward(input: z, gradOutput: dA1)
        dZ.add(g1.input!)
        grads.add("scoring.mlp_score.4", g3.gradient)
        grads.add("scoring.mlp_score.2", g2.gradient)
        grads.add("scoring.mlp_score.0", g1.gradient)

        // z = sam2(relu(sam1(x))).
        let s2 = model.sam2.backward(input: h1, gradOutput: dZ)
        var dH = s2.input!
        dH.maskReLU(activations: h1)
        let s1 = model.sam1.backward(input: x, gradOutput: dH, needInput: false)
        grads.add("sam.mlp.2", s2.gradient)
        grads.add("sam.mlp.0", s1.gradient)
        return grads
    }

    /// Backward of `RowStatistics.zScore` (unbiased std σ, ẑ = (x − μ)/(σ + ε)):
    /// `dx_j = (g_j − ḡ)/(σ+ε) − c_j · Σ_i g_i c_i / ((N−1)·σ·(σ+ε)²)`, c = x − μ.
    static func zScoreBackward(values x: ArraySlice<Float>, grad g: ArraySlice<Float>) -> [Float] {
        let n = x.count
        guard n > 1 else { return [Float](repeating: 0, count: n) }
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(n)
        let c = x.map { Double($0) - mean }
        let sigma = (c.reduce(0) { $0 + $1 * $1 } / Double(n - 1)).squareRoot()
        let se = sigma + 1e-8
        let gMean = g.reduce(0.0) { $0 + Double($1) } / Double(n)
        var gc = 0.0
        for (gi, ci) in zip(g, c) { gc += Double(gi) * ci }
        let k = sigma > 0 ? gc / (Double(n - 1) * sigma * se * se) : 0
        return zip(g, c).map { Float((Double($0) - gMean) / se - $1 * k) }
    }
}
