import COpenBLAS

/// The group signal of DeFT.md §2: `s_group[b,i] = mean_{j∈G(i)} cos(z_i, z_j) · s_sem[b,j]`.
///
/// Grids need only the ≤ 8 (image) or ≤ 4 (video) neighbour similarities, never an N×N matrix.
/// Text needs all pairs: one GEMM per batch row, then a top-5 per row by partial selection.
public enum GroupScore {
    /// Row-normalised copy of z (`F.normalize`: x / max(‖x‖, 1e-12)).
    public static func normalisedRows(_ z: Matrix) -> Matrix { normalise(z).normalised }

    /// The row-normalised copy and the clamped norms (training's backward needs them).
    public static func normalise(_ z: Matrix) -> (normalised: Matrix, norms: [Float]) {
        var out = z
        var norms = [Float](repeating: 0, count: z.rows)
        let d = z.cols
        out.storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<z.rows {
                let row = p.baseAddress! + r * d
                norms[r] = max(cblas_snrm2(blasint(d), row, 1), 1e-12)
                cblas_sscal(blasint(d), 1 / norms[r], row, 1)
            }
        }
        return (out, norms)
    }

    /// Group scores for grid layouts. `zn` holds B·N normalised rows; `saliency` B·N values.
    public static func grid(zn: Matrix, saliency: [Float], batch: Int, layout: TokenLayout) -> [Float] {
        let n = layout.count, d = zn.cols
        var sum = [Float](repeating: 0, count: batch * n)
        var count = [Float](repeating: 0, count: n)
        // Each unordered neighbour pair is visited once; its cosine serves both directions.
        let pairs = neighbourPairs(layout)
        for (i, j) in pairs { count[i] += 1; count[j] += 1 }
        zn.storage.withUnsafeBufferPointer { zp in
            for b in 0..<batch {
                let base = b * n
                for (i, j) in pairs {
                    let c = cblas_sdot(blasint(d), zp.baseAddress! + (base + i) * d, 1,
                                       zp.baseAddress! + (base + j) * d, 1)
                    sum[base + i] += c * saliency[base + j]
                    sum[base + j] += c * saliency[base + i]
                }
            }
        }
        for b in 0..<batch {
            for i in 0..<n where count[i] > 0 { sum[b * n + i] /= count[i] }
        }
        return sum
    }

    /// Unordered neighbour pairs (i < j) of a grid layout.
    public static func neighbourPairs(_ layout: TokenLayout) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        let h = layout.height, w = layout.width, hw = layout.tokensPerFrame
        switch layout.modality {
        case .image:
            pairs.reserveCapacity(layout.count * 4)
            for f in 0..<layout.frames {
                for r in 0..<h {
                    for c in 0..<w {
                        let i = f * hw + r * w + c
                        if c + 1 < w { pairs.append((i, i + 1)) }
                        if r + 1 < h {
                            pairs.append((i, i + w))
                            if c + 1 < w { pairs.append((i, i + w + 1)) }
                            if c > 0 { pairs.append((i, i + w - 1)) }
                        }
                    }
                }
            }
        case .video:
            pairs.reserveCapacity(layout.count * 2)
            for f in 0..<layout.frames {
                for s in 0..<hw {
                    for dt in 1...2 where f + dt < layout.frames {
                        pairs.append((f * hw + s, (f + dt) * hw + s))
                    }
                }
            }
        case .text:
            break
        }
        return pairs
    }

    /// Group scores for text: the 5 most similar tokens on the batch-averaged similarity
    /// (self excluded) — the same neighbours for every batch row. Returns the scores and the
    /// neighbour lists (N × min(5, N−1), by descending similarity).
    public static func text(zn: Matrix, saliency: [Float], batch: Int, tokens n: Int,
                     neighbours k: Int = 5) -> (scores: [Float], neighbours: [Int]) {
        let d = zn.cols
        let kk = min(k, max(n - 1, 0))
        guard kk > 0 else { return ([Float](repeating: 0, count: batch * n), []) }
        // One GEMM per batch row; keep each row's similarities for its own scores.
        var sims = [Matrix](repeating: Matrix(rows: 0, cols: 0), count: batch)
        var avg = Matrix(rows: n, cols: n)
        zn.storage.withUnsafeBufferPointer { zp in
            for b in 0..<batch {
                var s = Matrix(rows: n, cols: n)
                let a = zp.baseAddress! + b * n * d
                s.storage.withUnsafeMutableBufferPointer { sp in
                    BLAS.gemm(transA: false, transB: true, m: n, n: n, k: d, a: a, lda: d,
                              b: a, ldb: d, c: sp.baseAddress!, ldc: n)
                }
                if batch == 1 {
                    avg = s
                } else {
                    s.storage.withUnsafeBufferPointer { sp in
                        avg.storage.withUnsafeMutableBufferPointer { ap in
                            cblas_saxpy(blasint(n * n), 1 / Float(batch), sp.baseAddress!, 1, ap.baseAddress!, 1)
                        }
                    }
                }
                sims[b] = s
            }
        }
        let nbrs = topNeighbours(avg, k: kk)
        var scores = [Float](repeating: 0, count: batch * n)
        for b in 0..<batch {
            sims[b].storage.withUnsafeBufferPointer { sp in
                for i in 0..<n {
                    var acc: Float = 0
                    for t in 0..<kk {
                        let j = nbrs[i * kk + t]
                        acc += sp[i * n + j] * saliency[b * n + j]
                    }
                    scores[b * n + i] = acc / Float(kk)
                }
            }
        }
        return (scores, nbrs)
    }

    /// For each row of a square similarity matrix, the `k` largest columns other than the
    /// diagonal, by descending value (ties: lower index first). Partial selection, no sort of N.
    public static func topNeighbours(_ sim: Matrix, k: Int) -> [Int] {
        let n = sim.rows
        var out = [Int](repeating: 0, count: n * k)
        var bestVal = [Float](repeating: 0, count: k)
        var bestIdx = [Int](repeating: 0, count: k)
        sim.storage.withUnsafeBufferPointer { sp in
            for i in 0..<n {
                var filled = 0
                for j in 0..<n where j != i {
                    let v = sp[i * n + j]
                    if filled < k {
                        var p = filled
                        while p > 0 && bestVal[p - 1] < v { bestVal[p] = bestVal[p - 1]; bestIdx[p] = bestIdx[p - 1]; p -= 1 }
                        bestVal[p] = v; bestIdx[p] = j; filled += 1
                    } else if v > bestVal[k - 1] {
                        var p = k - 1
                        while p > 0 && bestVal[p - 1] < v { bestVal[p] = bestVal[p - 1]; bestIdx[p] = bestIdx[p - 1]; p -= 1 }
                        bestVal[p] = v; bestIdx[p] = j
                    }
                }
                for t in 0..<k { out[i * k + t] = bestIdx[t] }
            }
        }
        return out
    }
}
