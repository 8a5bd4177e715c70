import COpenBLAS

/// The group signal of DeFT.md §2: `s_group[b,i] = mean_{j∈G(i)} cos(z_i, z_j) · s_sem[b,j]`.
///
/// Grids need only the ≤ 8 (image) or ≤ 4 (video) neighbour similarities, never an N×N matrix.
/// Text needs all pairs: the blocked symmetric kernel (`SimilarityBlocks`) with a top-5 per row kept as it goes.
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
    /// (self excluded) — the same neighbours for every batch row. Returns the scores, the
    /// neighbour lists (N × min(5, N−1), by descending similarity) and the search that found them.
    public static func text(zn: Matrix, saliency: [Float], batch: Int, tokens n: Int, neighbours k: Int = 5,
                            search: NeighbourSearch = .auto) -> (scores: [Float], neighbours: [Int], search: NeighbourSearchUsed) {
        let kk = min(k, max(n - 1, 0))
        guard kk > 0 else { return ([Float](repeating: 0, count: batch * n), [], .exact) }
        let side = sideBySide(zn, batch: batch, tokens: n)
        let (top, used) = neighbours(side, alpha: 1 / Float(batch), k: kk, search: search)
        return (neighbourScores(zn: zn, saliency: saliency, batch: batch, tokens: n, neighbours: top), top.indices, used)
    }

    /// Each row's `k` nearest rows by `search`. The approximate search can only fail on faiss's side
    /// (it refused the cells): the exact one then answers, and the result says so.
    static func neighbours(_ side: Matrix, alpha: Float, k: Int, search: NeighbourSearch,
                           approximate: (Matrix, Float, Int) throws -> Neighbours = { try ApproximateNeighbours.search($0, alpha: $1, k: $2) })
        -> (Neighbours, NeighbourSearchUsed) {
        guard search.isApproximate(tokens: side.rows) else { return (topNeighbours(side, alpha: alpha, k: k), .exact) }
        do { return (try approximate(side, alpha, k), .approximate) } catch {
            let why = (error as? DeFTError)?.problem ?? "\(error)"
            return (topNeighbours(side, alpha: alpha, k: k), .exactAfterFaissFailed(why))
        }
    }

    /// The rows of the batch side by side ([N, B·d′]): their products, over B, are the batch-mean cosines.
    static func sideBySide(_ zn: Matrix, batch: Int, tokens n: Int) -> Matrix {
        guard batch > 1 else { return zn }
        let d = zn.cols
        var out = Matrix(rows: n, cols: batch * d)
        for b in 0..<batch {
            for i in 0..<n {
                out.storage.replaceSubrange((i * batch * d + b * d)..<(i * batch * d + (b + 1) * d),
                                            with: zn.storage[((b * n + i) * d)..<((b * n + i + 1) * d)])
            }
        }
        return out
    }

    /// `s_group[b,i]`: the mean over i's neighbours j of cos(z_i, z_j) · s_sem[b,j], with batch row b's own cosines.
    static func neighbourScores(zn: Matrix, saliency: [Float], batch: Int, tokens n: Int, neighbours top: Neighbours) -> [Float] {
        let d = zn.cols, kk = top.k
        var scores = [Float](repeating: 0, count: batch * n)
        zn.storage.withUnsafeBufferPointer { zp in
            for b in 0..<batch {
                for i in 0..<n {
                    var acc: Float = 0
                    for t in 0..<kk {
                        let j = top.indices[i * kk + t]
                        // One input: the cosine the search already has; a batch: this row's own.
                        let c = batch == 1 ? top.similarities[i * kk + t]
                            : cblas_sdot(blasint(d), zp.baseAddress! + (b * n + i) * d, 1, zp.baseAddress! + (b * n + j) * d, 1)
                        acc += c * saliency[b * n + j]
                    }
                    scores[b * n + i] = acc / Float(kk)
                }
            }
        }
        return scores
    }

    /// Each row's `k` most similar other rows, by descending similarity (ties: lower index first).
    public struct Neighbours: Sendable, Equatable {
        public let k: Int
        /// N × k row indices.
        public let indices: [Int]
        /// The similarities that go with `indices`.
        public let similarities: [Float]
    }

    /// The exact `k` nearest rows of every row of `alpha · Z·Zᵀ` (self excluded), through the blocked
    /// symmetric kernel: half the products of the full matrix, N·k of state, no N×N matrix.
    public static func topNeighbours(_ z: Matrix, alpha: Float = 1, k: Int) -> Neighbours {
        var top = TopK(rows: z.rows, k: k)
        SimilarityBlocks.symmetric(z, alpha: alpha) { block in
            for i in block.rows { top.offer(row: i, block.row(i), firstColumn: block.columns.lowerBound) }
        }
        return top.neighbours
    }
}

/// The `k` largest values offered to each of N rows with their column indices, by descending value,
/// equal values by ascending index; a row is never its own neighbour.
struct TopK {
    let k: Int
    var values: [Float], indices: [Int], filled: [Int]

    init(rows n: Int, k: Int) {
        self.k = k
        values = [Float](repeating: -.infinity, count: n * k)
        indices = [Int](repeating: Int.max, count: n * k)
        filled = [Int](repeating: 0, count: n)
    }

    var neighbours: GroupScore.Neighbours { GroupScore.Neighbours(k: k, indices: indices, similarities: values) }

    /// Columns `firstColumn ..< firstColumn + values.count` of row `i`.
    mutating func offer(row i: Int, _ row: UnsafeBufferPointer<Float>, firstColumn c0: Int) {
        offer(row: i, excluding: i, row) { c0 + $0 }
    }

    /// Row `i`'s values at the columns `column(t)` for t in 0..<values.count.
    mutating func offer(row i: Int, _ row: UnsafeBufferPointer<Float>, column: (Int) -> Int) {
        offer(row: i, excluding: i, row, column: column)
    }

    /// As `offer`, for a row stored at `slot` whose own column is `excluding`.
    @inline(__always)
    mutating func offer(row slot: Int, excluding i: Int, _ row: UnsafeBufferPointer<Float>, column: (Int) -> Int) {
        let k = self.k, v0 = slot * k
        var f = filled[slot]
        values.withUnsafeMutableBufferPointer { vp in
            indices.withUnsafeMutableBufferPointer { ip in
                for t in 0..<row.count {
                    let v = row[t]
                    // Full: only a value at or above the k-th can enter (the common case, one compare).
                    if f == k && !(v >= vp[v0 + k - 1]) { continue }
                    let j = column(t)
                    if j == i { continue }
                    if f == k && v == vp[v0 + k - 1] && j > ip[v0 + k - 1] { continue }
                    var p = f < k ? f : k - 1
                    while p > 0 && (vp[v0 + p - 1] < v || (vp[v0 + p - 1] == v && ip[v0 + p - 1] > j)) {
                        vp[v0 + p] = vp[v0 + p - 1]; ip[v0 + p] = ip[v0 + p - 1]; p -= 1
                    }
                    vp[v0 + p] = v; ip[v0 + p] = j
                    if f < k { f += 1 }
                }
            }
        }
        filled[slot] = f
    }
}
