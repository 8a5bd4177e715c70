import DeFT
import Foundation

/// `reconstruct`: how well the kept tokens explain all of them, with no labels. Each token is
/// predicted as a mix of the kept tokens, weighted by semantic similarity,
/// `x̂_i = Σ_j m_j e^{cos(z_i,z_j)/τ} x_j / Σ_j m_j e^{cos(z_i,z_j)/τ}`, and the loss is the mean
/// squared error `Σ_i ‖x_i − x̂_i‖² / (N·d)` in token space. A kept token explains itself; a pruned
/// one must be explained by kept tokens that mean the same — so the loss rewards keeping tokens
/// that nothing else stands for. The similarities come from the blocked symmetric kernel
/// (`SimilarityBlocks`), twice: once for the mixes, once for the gradient — N·block memory, never N×N.
public struct ReconstructObjective: TaskObjective {
    public var name: String { "reconstruct" }
    public var temperature: Float
    /// Rows per block of similarities.
    public var blockRows: Int

    public init(temperature: Float = 0.1, blockRows: Int = SimilarityBlocks.defaultRowBlock) {
        self.temperature = temperature; self.blockRows = max(blockRows, 1)
    }

    public mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows {}

    public func evaluate(z: Matrix, tokens x: Matrix, mask m: [Float], batch: Int, labels: [Int]?) -> ObjectiveResult {
        let n = z.rows / batch, dz = z.cols, d = x.cols, tau = temperature
        let (zn, norms) = RowNormalisation.forward(z)
        var dZn = Matrix(rows: z.rows, cols: dz)
        var dM = [Float](repeating: 0, count: z.rows)
        var loss = 0.0
        let scale = 2 / Float(n * d * batch)
        var scratch = [Float](), products = [Float]()
        for b in 0..<batch {
            let rows = (b * n)..<((b + 1) * n)
            let u = zn.rows(rows), xb = x.rows(rows)
            let mb = Array(m[rows])
            // Pass 1. E = e^{(C − 1)/τ}·diag(m) (shifted: cos ≤ 1, so no running maximum is needed),
            // s_i = Σ_j E_ij and x̂_i = Σ_j E_ij x_j / s_i, accumulated block by block.
            var sums = [Float](repeating: 1e-12, count: n)
            var xhat = Matrix(rows: n, cols: d)
            SimilarityBlocks.symmetric(u, rowBlock: blockRows) { block in
                let (r, c) = (block.rows, block.columns)
                Self.grow(&scratch, r.count * c.count)
                scratch.withUnsafeMutableBufferPointer { sp in
                    mb.withUnsafeBufferPointer { mp in
                        for i in r {
                            let row = block.row(i), o = (i - r.lowerBound) * c.count
                            var s: Float = 0
                            for t in 0..<c.count { let e = exp((row[t] - 1) / tau) * mp[c.lowerBound + t]; sp[o + t] = e; s += e }
                            sums[i] += s
                        }
                    }
                }
                Self.gemm(scratch, r.count, c.count, false, xb, c.lowerBound, d, into: &xhat, at: r.lowerBound)
            }
            // Loss, ∂L/∂x̂, and g_i = (∂L/∂x̂_i) / s_i with a_i = g_i · x̂_i: then ∂L/∂E_ij = g_i·x_j − a_i.
            var g = Matrix(rows: n, cols: d)
            var a = [Float](repeating: 0, count: n)
            for i in 0..<n {
                var dot: Float = 0
                for f in 0..<d {
                    let xh = xhat.storage[i * d + f] / sums[i]
                    let r = xb.storage[i * d + f] - xh
                    loss += Double(r * r)
                    let gi = -scale * r / sums[i]
                    g.storage[i * d + f] = gi
                    dot += gi * xh
                }
                a[i] = dot
            }
            // Pass 2. Through E = P·m and P = e^{(C−1)/τ}: ∂L/∂m_j += Σ_i ∂L/∂E_ij P_ij and
            // ∂L/∂C_ij = ∂L/∂E_ij P_ij m_j / τ; C = U·Uᵀ gives ∂U_R += ∂C·U_C and ∂U_C += ∂Cᵀ·U_R.
            var dU = Matrix(rows: n, cols: dz)
            SimilarityBlocks.symmetric(u, rowBlock: blockRows) { block in
                let (r, c) = (block.rows, block.columns)
                Self.grow(&products, r.count * c.count)
                Self.gemm(g, r, xb, c, into: &products)
                products.withUnsafeMutableBufferPointer { pp in
                    mb.withUnsafeBufferPointer { mp in
                        dM.withUnsafeMutableBufferPointer { dp in
                            let dm = dp.baseAddress! + b * n + c.lowerBound, m = mp.baseAddress! + c.lowerBound
                            for i in r {
                                let row = block.row(i), o = (i - r.lowerBound) * c.count, ai = a[i]
                                for t in 0..<c.count {
                                    let p = exp((row[t] - 1) / tau)
                                    let dE = pp[o + t] - ai
                                    dm[t] += dE * p
                                    pp[o + t] = dE * p * m[t] / tau
                                }
                            }
                        }
                    }
                }
                Self.gemm(products, r.count, c.count, false, u, c.lowerBound, dz, into: &dU, at: r.lowerBound)
                Self.gemm(products, c.count, r.count, true, u, r.lowerBound, dz, into: &dU, at: c.lowerBound)
            }
            dZn.storage.replaceSubrange((b * n * dz)..<((b + 1) * n * dz), with: dU.storage)
        }
        let dZ = RowNormalisation.backward(normalised: zn, norms: norms, gradient: dZn)
        return ObjectiveResult(loss: loss / Double(n * d * batch), semantic: dZ, mask: dM,
                               parameters: Gradients(), predictions: nil)
    }

    static func grow(_ buffer: inout [Float], _ count: Int) {
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
    }

    /// `out[at..<at+m] += op(S) · y[from..<from+k]`, S an m×k (or, transposed, k×m) block stored row-major.
    static func gemm(_ s: [Float], _ m: Int, _ k: Int, _ transposed: Bool, _ y: Matrix, _ from: Int, _ width: Int,
                     into out: inout Matrix, at: Int) {
        s.withUnsafeBufferPointer { sp in
            y.storage.withUnsafeBufferPointer { yp in
                out.storage.withUnsafeMutableBufferPointer { op in
                    BLAS.gemm(transA: transposed, transB: false, m: m, n: width, k: k, a: sp.baseAddress!,
                              lda: transposed ? m : k, b: yp.baseAddress! + from * width, ldb: max(width, 1),
                              beta: 1, c: op.baseAddress! + at * width, ldc: max(width, 1))
                }
            }
        }
    }

    /// `out = G_R · X_Cᵀ` (|R|×|C|).
    static func gemm(_ g: Matrix, _ r: Range<Int>, _ x: Matrix, _ c: Range<Int>, into out: inout [Float]) {
        let d = g.cols
        g.storage.withUnsafeBufferPointer { gp in
            x.storage.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    BLAS.gemm(transA: false, transB: true, m: r.count, n: c.count, k: d, a: gp.baseAddress! + r.lowerBound * d,
                              lda: max(d, 1), b: xp.baseAddress! + c.lowerBound * d, ldb: max(d, 1), c: op.baseAddress!, ldc: c.count)
                }
            }
        }
    }
}
