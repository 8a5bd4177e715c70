import DeFT
import Foundation

/// `reconstruct`: how well the kept tokens explain all of them, with no labels. Each token is
/// predicted as a mix of the kept tokens, weighted by semantic similarity,
/// `x̂_i = Σ_j m_j e^{cos(z_i,z_j)/τ} x_j / Σ_j m_j e^{cos(z_i,z_j)/τ}`, and the loss is the mean
/// squared error `Σ_i ‖x_i − x̂_i‖² / (N·d)` in token space. A kept token explains itself; a pruned
/// one must be explained by kept tokens that mean the same — so the loss rewards keeping tokens
/// that nothing else stands for. The N×N similarities are formed a block of rows at a time (GEMMs).
public struct ReconstructObjective: TaskObjective {
    public var name: String { "reconstruct" }
    public var temperature: Float
    /// Query rows per block of similarities.
    public var blockRows: Int

    public init(temperature: Float = 0.1, blockRows: Int = 256) {
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
        for b in 0..<batch {
            let rows = (b * n)..<((b + 1) * n)
            let u = zn.rows(rows), xb = x.rows(rows)
            let mb = Array(m[rows])
            var dU = Matrix(rows: n, cols: dz)
            // Blocks of query rows keep memory at block×N instead of N×N (4608 video tokens
            // would need 85 MB per N×N matrix).
            for lo in stride(from: 0, to: n, by: blockRows) {
                let q = lo..<min(lo + blockRows, n), bq = q.count
                let uq = u.rows(q)
                // P = e^{(cos − 1)/τ} (shifted: cos ≤ 1), E = P·diag(m), W = E / rowsum(E).
                var p = BLAS.matmul(uq, u, transB: true)
                for i in p.storage.indices { p.storage[i] = exp((p.storage[i] - 1) / tau) }
                var w = p
                var sums = [Float](repeating: 0, count: bq)
                for i in 0..<bq {
                    var s: Float = 1e-12
                    for j in 0..<n { let e = p.storage[i * n + j] * mb[j]; w.storage[i * n + j] = e; s += e }
                    sums[i] = s
                    for j in 0..<n { w.storage[i * n + j] /= s }
                }
                let xhat = BLAS.matmul(w, xb)
                var dXhat = Matrix(rows: bq, cols: d)
                for i in 0..<(bq * d) {
                    let r = xb.storage[lo * d + i] - xhat.storage[i]
                    loss += Double(r * r)
                    dXhat.storage[i] = -scale * r
                }
                let dW = BLAS.matmul(dXhat, xb, transB: true)
                // Through the normalisation of W, then E = P·m and P = e^{(C−1)/τ}.
                var dC = Matrix(rows: bq, cols: n)
                for i in 0..<bq {
                    var dot: Float = 0
                    for j in 0..<n { dot += dW.storage[i * n + j] * w.storage[i * n + j] }
                    for j in 0..<n {
                        let dE = (dW.storage[i * n + j] - dot) / sums[i]
                        let pij = p.storage[i * n + j]
                        dM[b * n + j] += dE * pij
                        dC.storage[i * n + j] = dE * pij * mb[j] / tau
                    }
                }
                // C = U_q·Uᵀ: dU_q += dC·U and dU += dCᵀ·U_q.
                let dUq = BLAS.matmul(dC, u)
                for i in 0..<(bq * dz) { dU.storage[lo * dz + i] += dUq.storage[i] }
                BLAS.gemm(dC, uq, into: &dU, transA: true, beta: 1)
            }
            dZn.storage.replaceSubrange((b * n * dz)..<((b + 1) * n * dz), with: dU.storage)
        }
        let dZ = RowNormalisation.backward(normalised: zn, norms: norms, gradient: dZn)
        return ObjectiveResult(loss: loss / Double(n * d * batch), semantic: dZ, mask: dM,
                               parameters: Gradients(), predictions: nil)
    }
}
