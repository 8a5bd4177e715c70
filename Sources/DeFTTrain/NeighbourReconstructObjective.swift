import COpenBLAS
import DeFT
import Foundation

/// `reconstruct` restricted to each token's group neighbours: the label-free feedback for long inputs.
///
/// `ReconstructObjective` predicts every token from all the kept tokens: N²·(6d′ + 4d) multiply-adds,
/// 4.4 TFLOP for 64 video frames of 576 tokens. This is the same loss with the mix taken only over the
/// token itself and its neighbours G(i) — the ones the group signal already uses (8-connected patches,
/// the same patch in frames t±1, t±2, a text token's 5 most similar tokens):
/// `x̂_i = Σ_{j∈{i}∪G(i)} m_j e^{cos(z_i,z_j)/τ} x_j / Σ_{j∈{i}∪G(i)} m_j e^{cos(z_i,z_j)/τ}`,
/// loss `Σ_i ‖x_i − x̂_i‖² / (N·d)`. Cost N·(|G|+1)·2(d + d′): linear in N. With G(i) every other
/// token it is `ReconstructObjective` exactly (the tests hold it to that).
public struct NeighbourReconstructObjective: TaskObjective {
    public var name: String { "reconstruct from neighbours" }
    public var temperature: Float
    /// Row i's neighbours are `neighbours[offsets[i]..<offsets[i+1]]` (token indices within one input).
    public let offsets: [Int]
    public let neighbours: [Int]

    /// `lists[i]`: token i's neighbours (itself excluded; it is always in its own mix).
    public init(lists: [[Int]], temperature: Float = 0.1) {
        self.temperature = temperature
        var offsets = [0], flat: [Int] = []
        offsets.reserveCapacity(lists.count + 1)
        for l in lists { flat += l; offsets.append(flat.count) }
        self.offsets = offsets; neighbours = flat
    }

    /// The group signal's neighbourhoods for `layout`: grids from the layout, text from the scoring's
    /// neighbour lists (N × k, `ScoringForward.textNeighbours`).
    public init(layout: TokenLayout, textNeighbours: [Int]?, temperature: Float = 0.1) {
        let n = layout.count
        var lists = [[Int]](repeating: [], count: n)
        if layout.modality == .text {
            let all = textNeighbours ?? []
            let k = n > 0 ? all.count / n : 0
            for i in 0..<n where k > 0 { lists[i] = Array(all[(i * k)..<((i + 1) * k)]) }
        } else {
            for (i, j) in GroupScore.neighbourPairs(layout) { lists[i].append(j); lists[j].append(i) }
        }
        self.init(lists: lists, temperature: temperature)
    }

    public mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows {}

    public func evaluate(z: Matrix, tokens x: Matrix, mask m: [Float], batch: Int, labels: [Int]?) -> ObjectiveResult {
        let n = z.rows / batch, dz = z.cols, d = x.cols, tau = temperature
        precondition(offsets.count == n + 1, "one neighbour list per token")
        // Cosines from z and its norms: no normalised copy of z (512 MB at 262 144 tokens, d′ = 512).
        let norms = (0..<z.rows).map { r in z.storage.withUnsafeBufferPointer { max(cblas_snrm2(blasint(dz), $0.baseAddress! + r * dz, 1), 1e-12) } }
        var dZ = Matrix(rows: z.rows, cols: dz)   // ∂L/∂u first, turned into ∂L/∂z in place at the end
        var dM = [Float](repeating: 0, count: z.rows)
        var loss = 0.0
        let scale = 2 / Float(n * d * batch)
        z.storage.withUnsafeBufferPointer { zp in
            x.storage.withUnsafeBufferPointer { xp in
                dZ.storage.withUnsafeMutableBufferPointer { gp in
                    var xhat = [Float](repeating: 0, count: d), g = xhat
                    var p: [Float] = []
                    for b in 0..<batch {
                        let base = b * n
                        for i in 0..<n {
                            // The mix over {i} ∪ G(i); P_ij = e^{(cos − 1)/τ} (cos ≤ 1: no overflow), E_ij = P_ij·m_j.
                            let list = neighbours[offsets[i]..<offsets[i + 1]]
                            let zi = zp.baseAddress! + (base + i) * dz, ni = norms[base + i]
                            p.removeAll(keepingCapacity: true)
                            p.append(1)   // cos(z_i, z_i) = 1
                            for j in list {
                                let c = Self.dot(zi, zp.baseAddress! + (base + j) * dz, dz) / (ni * norms[base + j])
                                p.append(exp((c - 1) / tau))
                            }
                            var s: Float = 1e-12
                            xhat.withUnsafeMutableBufferPointer { h in h.update(repeating: 0) }
                            for t in 0...list.count {
                                let j = t == 0 ? i : list[list.startIndex + t - 1]
                                let e = p[t] * m[base + j]
                                s += e
                                cblas_saxpy(blasint(d), e, xp.baseAddress! + (base + j) * d, 1, &xhat, 1)
                            }
                            // Loss, g_i = (∂L/∂x̂_i)/s_i and a_i = g_i·x̂_i: ∂L/∂E_ij = g_i·x_j − a_i.
                            var a: Float = 0
                            let xi = xp.baseAddress! + (base + i) * d
                            for f in 0..<d {
                                let xh = xhat[f] / s, r = xi[f] - xh
                                loss += Double(r * r)
                                g[f] = -scale * r / s
                                a += g[f] * xh
                            }
                            for t in 0...list.count {
                                let j = t == 0 ? i : list[list.startIndex + t - 1]
                                let dE = Self.dot(g, xp.baseAddress! + (base + j) * d, d) - a
                                dM[base + j] += dE * p[t]
                                // cos(z_i, z_i) is constant on the sphere: no gradient through the self term.
                                guard t > 0 else { continue }
                                // ∂L/∂u_i += dC·u_j and ∂L/∂u_j += dC·u_i, with u = z/‖z‖.
                                let dC = dE * p[t] * m[base + j] / tau, nj = norms[base + j]
                                cblas_saxpy(blasint(dz), dC / nj, zp.baseAddress! + (base + j) * dz, 1, gp.baseAddress! + (base + i) * dz, 1)
                                cblas_saxpy(blasint(dz), dC / ni, zi, 1, gp.baseAddress! + (base + j) * dz, 1)
                            }
                        }
                    }
                    // ∂L/∂z = (g − u(u·g)) / ‖z‖ per row (`RowNormalisation.backward`), in place.
                    for r in 0..<z.rows {
                        let zr = zp.baseAddress! + r * dz, gr = gp.baseAddress! + r * dz, nr = norms[r]
                        let ug = Self.dot(zr, UnsafePointer(gr), dz) / nr
                        cblas_saxpy(blasint(dz), -ug / nr, zr, 1, gr, 1)
                        cblas_sscal(blasint(dz), 1 / nr, gr, 1)
                    }
                }
            }
        }
        return ObjectiveResult(loss: loss / Double(n * d * batch), semantic: dZ, mask: dM, parameters: Gradients(), predictions: nil)
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        cblas_sdot(blasint(n), a, 1, b, 1)
    }

    @inline(__always)
    static func dot(_ a: [Float], _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        a.withUnsafeBufferPointer { dot($0.baseAddress!, b, n) }
    }
}
