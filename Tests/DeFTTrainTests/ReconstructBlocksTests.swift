import DeFT
@testable import DeFTTrain
import Foundation
import Testing

/// The reconstruct objective through the blocked kernel against the plain N×N computation in Double.
@Suite struct ReconstructBlocksTests {
    struct Reference { var loss: Double; var semantic: [Double]; var mask: [Double] }

    /// Loss and gradients with full N×N matrices, the textbook way.
    static func reference(z: Matrix, x: Matrix, m: [Float], batch: Int, tau: Double) -> Reference {
        let n = z.rows / batch, dz = z.cols, d = x.cols
        var out = Reference(loss: 0, semantic: [Double](repeating: 0, count: z.rows * dz), mask: [Double](repeating: 0, count: z.rows))
        let scale = 2 / Double(n * d * batch)
        for b in 0..<batch {
            let o = b * n
            let norm = (0..<n).map { i in max((0..<dz).reduce(0.0) { $0 + Double(z[o + i, $1]) * Double(z[o + i, $1]) }.squareRoot(), 1e-12) }
            let u = (0..<n).map { i in (0..<dz).map { Double(z[o + i, $0]) / norm[i] } }
            let xs = (0..<n).map { i in (0..<d).map { Double(x[o + i, $0]) } }
            var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            var w = p, s = [Double](repeating: 1e-12, count: n)
            for i in 0..<n { for j in 0..<n {
                let c = zip(u[i], u[j]).reduce(0.0) { $0 + $1.0 * $1.1 }
                p[i][j] = exp((c - 1) / tau); s[i] += p[i][j] * Double(m[o + j])
            } }
            for i in 0..<n { for j in 0..<n { w[i][j] = p[i][j] * Double(m[o + j]) / s[i] } }
            var dC = p
            var dxh = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
            for i in 0..<n { for f in 0..<d {
                let xh = (0..<n).reduce(0.0) { $0 + w[i][$1] * xs[$1][f] }
                let r = xs[i][f] - xh
                out.loss += r * r; dxh[i][f] = -scale * r
            } }
            for i in 0..<n {
                let dW = (0..<n).map { j in zip(dxh[i], xs[j]).reduce(0.0) { $0 + $1.0 * $1.1 } }
                let dot = (0..<n).reduce(0.0) { $0 + dW[$1] * w[i][$1] }
                for j in 0..<n {
                    let dE = (dW[j] - dot) / s[i]
                    out.mask[o + j] += dE * p[i][j]
                    dC[i][j] = dE * p[i][j] * Double(m[o + j]) / tau
                }
            }
            for i in 0..<n {
                let g = (0..<dz).map { f in (0..<n).reduce(0.0) { $0 + (dC[i][$1] + dC[$1][i]) * u[$1][f] } }
                let ug = zip(u[i], g).reduce(0.0) { $0 + $1.0 * $1.1 }
                for f in 0..<dz { out.semantic[(o + i) * dz + f] = (g[f] - u[i][f] * ug) / norm[i] }
            }
        }
        out.loss /= Double(n * d * batch)
        return out
    }

    @Test(arguments: [(1, 1, 4), (2, 1, 4), (13, 1, 4), (13, 2, 5), (40, 1, 256), (37, 2, 8)])
    func blockedMatchesTheFullComputation(n: Int, batch: Int, block: Int) {
        let z = GradientCheckTests.randomMatrix(batch * n, 6, seed: UInt64(n)), x = GradientCheckTests.randomMatrix(batch * n, 5, seed: 99)
        let m = (0..<(batch * n)).map { Float(($0 * 7) % 4) / 3 }
        let got = ReconstructObjective(temperature: 0.3, blockRows: block).evaluate(z: z, tokens: x, mask: m, batch: batch, labels: nil)
        let want = Self.reference(z: z, x: x, m: m, batch: batch, tau: 0.3)
        #expect(abs(got.loss - want.loss) <= 1e-5 * max(want.loss, 1e-6))
        let gs = want.semantic.map(abs).max() ?? 0, ms = want.mask.map(abs).max() ?? 0
        // Float32 rounding of O(1) intermediate terms: 1e-7 absolute where the true gradient cancels to ~0.
        #expect(zip(got.semantic.storage, want.semantic).allSatisfy { abs(Double($0) - $1) <= 1e-4 * gs + 1e-7 }, "\(got.semantic.storage) vs \(want.semantic)")
        #expect(zip(got.mask, want.mask).allSatisfy { abs(Double($0) - $1) <= 1e-4 * ms + 1e-7 })
    }
}
