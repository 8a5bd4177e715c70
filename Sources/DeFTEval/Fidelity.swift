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

/// Every token's stand-in under every prefix of every ranking, from one pass of similarities.
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

    public init(tokens: Matrix, rankings: [Method: [Int]], threshold: Float, blockRows: Int = 256) {
        self.tokens = tokens; self.rankings = rankings; self.threshold = threshold
        let n = tokens.rows
        let (unit, norms) = RowNormalisation.forward(tokens)
        self.norms = norms
        totalSquared = norms.reduce(0.0) { $0 + Double($1) * Double($1) }
        // One record list per ranking, mutated in place (an array element, not a dictionary copy).
        let methods = Array(rankings.keys)
        var recs = [Records](repeating: Records(), count: methods.count)
        // Similarities a block of query rows at a time: block × N, never N × N.
        for lo in stride(from: 0, to: n, by: max(blockRows, 1)) {
            let q = lo..<min(lo + max(blockRows, 1), n)
            let c = BLAS.matmul(unit.rows(q), unit, transB: true)
            c.storage.withUnsafeBufferPointer { cp in
                for (k, m) in methods.enumerated() {
                    let ranking = rankings[m]!
                    for i in q {
                        let row = cp.baseAddress! + (i - lo) * n
                        var best = -Float.infinity
                        for (p, j) in ranking.enumerated() {
                            let v = j == i ? 1 : row[j]
                            if v > best {
                                best = v
                                recs[k].position.append(Int32(p)); recs[k].standIn.append(Int32(j)); recs[k].cosine.append(v)
                            }
                        }
                        recs[k].start.append(recs[k].position.count)
                    }
                }
            }
        }
        records = Dictionary(uniqueKeysWithValues: zip(methods, recs))
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
