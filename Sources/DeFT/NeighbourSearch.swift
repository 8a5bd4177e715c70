import CFaiss

/// How text tokens find their 5 semantic neighbours.
///
/// Exact neighbours cost N²·d′ multiply-adds (the upper triangle of the cosines): at d′ = 512 that is
/// 5 TFLOP for 100 000 tokens, most of a minute at this machine's sgemm speed. Above `autoThreshold`
/// tokens `auto` switches to an inverted file (IVF): faiss's k-means splits the tokens into about √N
/// cells, and each token is compared, exactly, only with the tokens of its `probes` nearest cells —
/// N²·d′·2·probes/√N multiply-adds instead. What that misses is measured, not assumed: see `recall`.
public enum NeighbourSearch: String, Sendable, CaseIterable {
    case exact, approximate, auto

    /// Above this many tokens `auto` is approximate. Below it the exact search takes under about two
    /// seconds at d′ = 512 and the IVF saves little (k-means and the cell bookkeeping have a fixed cost).
    public static let autoThreshold = 20_000

    public func isApproximate(tokens n: Int) -> Bool {
        switch self {
        case .exact: return false
        case .approximate: return true
        case .auto: return n > Self.autoThreshold
        }
    }
}

/// What a text scoring's neighbour search did, for reports: a fallback is said, never silent.
public enum NeighbourSearchUsed: Sendable, Equatable {
    case exact
    case approximate
    /// Approximate was asked for (or chosen by `auto`) but faiss failed; the exact search answered.
    case exactAfterFaissFailed(String)

    public var isApproximate: Bool { self == .approximate }

    /// One line for stderr and the report when the search was not what was asked for.
    public var note: String? {
        guard case .exactAfterFaissFailed(let why) = self else { return nil }
        return "approximate neighbours could not be used (faiss: \(why)); the text neighbours are exact"
    }
}

/// Approximate neighbours through faiss's IVF structure, with each cell's products as one sgemm.
///
/// Debian's faiss is built without SIMD kernels, so its own list scan runs at a few GFLOP/s; faiss
/// does the clustering and the choice of cells, and the products inside a cell go through
/// `SimilarityBlocks.cross` at sgemm speed.
public enum ApproximateNeighbours {
    /// Cells searched per token: recall@5 ≥ 0.9 on the built-in text features (see `deft bench --long`).
    public static let defaultProbes = 8

    /// Each row's `k` most similar other rows of `alpha · Z·Zᵀ`, as `GroupScore.topNeighbours` finds
    /// them exactly, but searched only in the `probes` cells nearest each row.
    public static func search(_ z: Matrix, alpha: Float = 1, k: Int, probes: Int = defaultProbes) throws -> GroupScore.Neighbours {
        let n = z.rows, d = z.cols
        let cells = cells(tokens: n)
        let p = max(1, min(probes, cells))
        var lists = [Int64](repeating: -1, count: n * p)
        var message = [CChar](repeating: 0, count: 256)
        let rc = z.storage.withUnsafeBufferPointer { zp in
            deft_ivf_probes(zp.baseAddress, Int64(n), Int64(d), Int32(cells), Int32(p), 10, &lists, &message, message.count)
        }
        guard rc == 0 else {
            throw DeFTError("faiss", String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        var members = [[Int]](repeating: [], count: cells), queries = members
        for i in 0..<n {
            let own = Int(lists[i * p])
            if own >= 0 && own < cells { members[own].append(i) }
            for c in lists[(i * p)..<((i + 1) * p)] where c >= 0 && c < cells { queries[Int(c)].append(i) }
        }
        var top = TopK(rows: n, k: k)
        for c in 0..<cells where !members[c].isEmpty && !queries[c].isEmpty {
            let q = queries[c], m = members[c]
            SimilarityBlocks.cross(z.gatherRows(q), z.gatherRows(m), alpha: alpha) { block in
                let c0 = block.columns.lowerBound
                for r in block.rows { top.offer(row: q[r], block.row(r)) { m[c0 + $0] } }
            }
        }
        // A token whose cells hold fewer than k others gets an exact search of its own.
        let short = (0..<n).filter { top.filled[$0] < k }
        if !short.isEmpty {
            SimilarityBlocks.cross(z.gatherRows(short), z, alpha: alpha) { block in
                for r in block.rows { top.offer(row: short[r], block.row(r), firstColumn: block.columns.lowerBound) }
            }
        }
        return top.neighbours
    }

    /// recall@k of `found` against the exact neighbours, on `sample` rows spread evenly over Z (exact
    /// top-k for those rows only: sample·N products). 1 when the search was exact.
    public static func recall(_ found: GroupScore.Neighbours, of z: Matrix, alpha: Float = 1, sample: Int = 256) -> Double {
        let n = z.rows, k = found.k
        guard n > 0, k > 0 else { return 1 }
        let s = min(sample, n)
        let rows = (0..<s).map { $0 * n / s }
        var exact = TopK(rows: s, k: k)
        SimilarityBlocks.cross(z.gatherRows(rows), z, alpha: alpha) { block in
            for r in block.rows {
                // The sampled row's own index is the one to skip, not its place in the sample.
                let c0 = block.columns.lowerBound
                exact.offer(row: r, excluding: rows[r], block.row(r)) { c0 + $0 }
            }
        }
        var hits = 0
        for (r, i) in rows.enumerated() {
            let want = Set(exact.indices[(r * k)..<((r + 1) * k)])
            hits += found.indices[(i * k)..<((i + 1) * k)].filter(want.contains).count
        }
        return Double(hits) / Double(s * k)
    }
}

extension ApproximateNeighbours {
    /// recall@k of a text scoring's neighbour lists (`TokenScores.semanticNeighbours`, N × k) against
    /// the exact ones, from the semantic vectors z it scored (B·N rows).
    public static func recall(neighbours: [Int], z: Matrix, batch: Int, tokens n: Int, sample: Int = 256) -> Double {
        guard n > 0, !neighbours.isEmpty else { return 1 }
        let side = GroupScore.sideBySide(GroupScore.normalisedRows(z), batch: batch, tokens: n)
        let found = GroupScore.Neighbours(k: neighbours.count / n, indices: neighbours, similarities: [])
        return recall(found, of: side, alpha: 1 / Float(batch), sample: sample)
    }

    /// Cells and probes for N tokens, as `search` chooses them (for reports).
    public static func cells(tokens n: Int) -> Int { max(1, min(Int(Double(n).squareRoot().rounded()), n)) }
}
