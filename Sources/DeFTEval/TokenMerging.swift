import DeFT

/// ToMe's bipartite soft matching (Bolya et al., facebookresearch/ToMe `merge.py`), run to the end
/// once and recorded merge by merge.
///
/// A round splits the live tokens alternately into A (even places) and B (odd), matches every A
/// token to its most similar B token by cosine of the metric, and merges the r best-matched A
/// tokens into their matches, most similar first; rounds repeat until k remain. Taking
/// r = min(|A|, t − k) each round, the state at k tokens is exactly the first N − k merges of a
/// run to one token: one history serves every ratio. Merged tokens carry the size-weighted mean,
/// and their metric is the mean of their members' (ToMe tracks sizes the same way).
///
/// Two choices differ from ToMe in a ViT: the metric is DeFT's semantic vectors z (ToMe uses the
/// attention keys of the layer), and the survivors stay in position order between rounds (ToMe
/// emits unmerged A then B; with no layer between rounds, position order keeps the split spatial).
public struct TokenMerging: Sendable {
    public struct Merge: Sendable, Equatable {
        public let source: Int
        public let destination: Int
        public let similarity: Float
    }

    public let count: Int
    public let merges: [Merge]

    public init(metric: Matrix) {
        let n = metric.rows, d = metric.cols
        count = n
        var sums = metric
        var alive = Array(0..<n)
        var out: [Merge] = []
        out.reserveCapacity(max(n - 1, 0))
        while alive.count > 1 {
            let a = stride(from: 0, to: alive.count, by: 2).map { alive[$0] }
            let b = stride(from: 1, to: alive.count, by: 2).map { alive[$0] }
            let an = GroupScore.normalisedRows(sums.gatherRows(a)), bn = GroupScore.normalisedRows(sums.gatherRows(b))
            // Each A token's best B match, a block of cosines at a time: N·block memory, not |A|·|B|.
            var best = [Int](repeating: 0, count: a.count), bestScore = [Float](repeating: -.infinity, count: a.count)
            SimilarityBlocks.cross(an, bn) { block in
                for i in block.rows {
                    let row = block.row(i)
                    for t in 0..<row.count where row[t] > bestScore[i] { bestScore[i] = row[t]; best[i] = block.columns.lowerBound + t }
                }
            }
            let order = DeFTPipeline.ranking(bestScore)
            for i in order {
                let src = a[i], dst = b[best[i]]
                out.append(Merge(source: src, destination: dst, similarity: bestScore[i]))
                for f in 0..<d { sums.storage[dst * d + f] += sums.storage[src * d + f] }
            }
            alive = b
        }
        merges = out
    }

    /// For every token, the slot (original index) of the merged token that carries it at k tokens.
    public func anchors(keeping k: Int) -> [Int] {
        var parent = Array(0..<count)
        for m in merges.prefix(max(count - max(k, 1), 0)) { parent[m.source] = m.destination }
        return (0..<count).map { i in
            var r = i
            while parent[r] != r { r = parent[r] }
            return r
        }
    }

    public func reduction(keeping k: Int) -> Reduction {
        let anchor = anchors(keeping: k)
        var kept = [Bool](repeating: false, count: count)
        for (i, a) in anchor.enumerated() where a == i { kept[i] = true }
        return Reduction(method: .tome, k: min(max(k, 1), count), isKept: kept, anchor: anchor)
    }

    /// The merged tokens in token space: the mean of each group's members, one row per anchor in
    /// position order (what the model would read).
    public static func mergedTokens(_ tokens: Matrix, anchors: [Int]) -> Matrix {
        let d = tokens.cols
        let slots = Array(Set(anchors)).sorted()
        var row = [Int: Int]()
        for (r, a) in slots.enumerated() { row[a] = r }
        var out = Matrix(rows: slots.count, cols: d)
        var size = [Float](repeating: 0, count: slots.count)
        for (i, a) in anchors.enumerated() {
            let r = row[a]!
            size[r] += 1
            for f in 0..<d { out.storage[r * d + f] += tokens.storage[i * d + f] }
        }
        for r in 0..<slots.count { for f in 0..<d { out.storage[r * d + f] /= size[r] } }
        return out
    }
}
