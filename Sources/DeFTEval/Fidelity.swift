import DeFT
import DeFTTrain

/// How well k tokens stand for all N, measured on the tokens themselves (no model judges them, so
/// DeFT is not graded by the similarities it learned).
///
/// Each token gets a stand-in: under pruning, the kept token most like it (cosine; a kept token
/// stands for itself) — the `reconstruct` objective's attention-weighted mix in the limit τ → 0;
/// under ToMe, the merged token of its group (the mean of the group's members).
/// - `error`: Σᵢ ‖xᵢ − x̂ᵢ‖² / Σᵢ ‖xᵢ‖², 0 when every token is kept;
/// - `coverage`: the share of tokens whose stand-in has cosine ≥ the threshold with them.
public struct Fidelity: Sendable, Equatable, Codable {
    public let error: Double
    public let coverage: Double
    public init(error: Double, coverage: Double) { self.error = error; self.coverage = coverage }
}

/// Every token's stand-in under every prefix of every ranking, from one pass of the blocked
/// symmetric kernel (half the products of the N×N similarities, N·block memory).
///
/// Walking a ranking, token i's most similar kept token only changes when a more similar one
/// joins; those changes ("records") are few (about ln N for a random order), so they are stored
/// and any k is answered by a binary search per token — exact at every ratio, cheap to scrub.
public struct FidelityIndex: Sendable {
    public let threshold: Float
    public let rankings: [Method: [Int]]
    let tokens: Matrix
    let norms: [Float]
    let totalSquared: Double
    let records: [Method: Records]

    struct Records: Sendable {
        var start: [Int] = [0]        // token i's records are start[i]..<start[i+1]
        var position: [Int32] = []    // place in the ranking where the stand-in changed
        var standIn: [Int32] = []
        var cosine: [Float] = []
    }

    public init(tokens: Matrix, rankings: [Method: [Int]], threshold: Float, blockRows: Int = SimilarityBlocks.defaultRowBlock) {
        self.tokens = tokens; self.rankings = rankings; self.threshold = threshold
        let n = tokens.rows
        let (unit, norms) = RowNormalisation.forward(tokens)
        self.norms = norms
        totalSquared = norms.reduce(0.0) { $0 + Double($1) * Double($1) }
        let methods = Array(rankings.keys)
        // Each token's place in each ranking (−1: not in it).
        let places: [[Int32]] = methods.map { m in
            var p = [Int32](repeating: -1, count: n)
            for (k, j) in rankings[m]!.enumerated() { p[j] = Int32(k) }
            return p
        }
        // A token's records are the prefix maxima of its row in ranking order. The kernel hands a row
        // its columns a block at a time, not in ranking order; but a record of the whole row is a record
        // of its own block, so each block's records are merged into the row's staircase so far, and the
        // staircase of the union is exactly the records of the union.
        // One box per method, so replacing a row's staircase never copies the list of all rows.
        let stairs = methods.map { _ in Staircases(count: n) }
        var order: [Int] = [], local: [Step] = [], merged: [Step] = []
        SimilarityBlocks.symmetric(unit, rowBlock: blockRows) { block in
            let c0 = block.columns.lowerBound
            for k in methods.indices {
                let place = places[k]
                order = block.columns.filter { place[$0] >= 0 }.sorted { place[$0] < place[$1] }
                for i in block.rows {
                    let row = block.row(i)
                    local.removeAll(keepingCapacity: true)
                    var best = -Float.infinity
                    for j in order {
                        let v = j == i ? 1 : row[j - c0]
                        if v > best { best = v; local.append(Step(position: place[j], standIn: Int32(j), cosine: v)) }
                    }
                    // A copy of the staircase's own size: `merged` keeps the largest capacity any row ever
                    // needed (thousands where a ranking follows a row's similarities), and a buffer of that
                    // capacity per row is gigabytes. (`Array(merged)` would share `merged`'s buffer.)
                    if Self.merge(stairs[k].rows[i], local, into: &merged) {
                        stairs[k].rows[i] = merged.withUnsafeBufferPointer { Array($0) }
                    }
                }
            }
        }
        var recs = [Records](repeating: Records(), count: methods.count)
        for k in methods.indices {
            for i in 0..<n {
                for s in stairs[k].rows[i] { recs[k].position.append(s.position); recs[k].standIn.append(s.standIn); recs[k].cosine.append(s.cosine) }
                recs[k].start.append(recs[k].position.count)
            }
        }
        records = Dictionary(uniqueKeysWithValues: zip(methods, recs))
    }

    struct Step { let position: Int32, standIn: Int32, cosine: Float }

    final class Staircases {
        var rows: [[Step]]
        init(count: Int) { rows = [[Step]](repeating: [], count: count) }
    }

    /// The prefix maxima of two staircases' union (by position, strictly rising cosine) into `out`;
    /// false when that is `a` itself, so the caller keeps it without a copy.
    static func merge(_ a: [Step], _ b: [Step], into out: inout [Step]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var x = 0, y = 0, best = -Float.infinity, tookB = false
        while x < a.count || y < b.count {
            let fromA = y == b.count || (x < a.count && a[x].position < b[y].position)
            let s = fromA ? a[x] : b[y]
            if fromA { x += 1 } else { y += 1 }
            if s.cosine > best { best = s.cosine; out.append(s); if !fromA { tookB = true } }
        }
        return tookB || out.count != a.count
    }

    public var count: Int { tokens.rows }

    /// Each token's stand-in and its cosine when the first k of `method`'s ranking are kept.
    public func standIns(_ method: Method, k: Int) -> [(token: Int, cosine: Float)] {
        guard let r = records[method] else { preconditionFailure("no ranking indexed for \(method)") }
        return (0..<count).map { i in
            // Last record with position < k (the first record has position 0, so one exists).
            var lo = r.start[i], hi = r.start[i + 1] - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if Int(r.position[mid]) < k { lo = mid } else { hi = mid - 1 }
            }
            return (Int(r.standIn[lo]), r.cosine[lo])
        }
    }

    /// Fidelity of a reduction: a prefix of an indexed ranking, or a ToMe merge.
    public func fidelity(_ reduction: Reduction) -> Fidelity {
        if let anchor = reduction.anchor { return merged(anchor) }
        var err = 0.0, covered = 0
        for (i, s) in standIns(reduction.method, k: reduction.k).enumerated() {
            let a = Double(norms[i]), b = Double(norms[s.token]), c = Double(s.cosine)
            err += s.token == i ? 0 : max(a * a + b * b - 2 * c * a * b, 0)
            if s.cosine >= threshold { covered += 1 }
        }
        return Fidelity(error: totalSquared > 0 ? err / totalSquared : 0, coverage: Double(covered) / Double(max(count, 1)))
    }

    /// Each token against the mean of its merge group.
    func merged(_ anchor: [Int]) -> Fidelity {
        let n = count, d = tokens.cols
        let means = TokenMerging.mergedTokens(tokens, anchors: anchor)
        let slots = Array(Set(anchor)).sorted()
        var row = [Int](repeating: 0, count: n), size = [Int](repeating: 0, count: slots.count)
        for (r, a) in slots.enumerated() { row[a] = r }
        for a in anchor { size[row[a]] += 1 }
        var err = 0.0, covered = 0
        for i in 0..<n {
            let r = row[anchor[i]]
            var e = 0.0, dot = 0.0, mm = 0.0
            for f in 0..<d {
                let x = Double(tokens.storage[i * d + f]), m = Double(means.storage[r * d + f])
                e += (x - m) * (x - m); dot += x * m; mm += m * m
            }
            err += e
            let cosine = mm > 0 ? dot / (Double(norms[i]) * mm.squareRoot()) : 0
            if size[r] == 1 || cosine >= Double(threshold) { covered += 1 }
        }
        return Fidelity(error: totalSquared > 0 ? err / totalSquared : 0, coverage: Double(covered) / Double(max(n, 1)))
    }
}
