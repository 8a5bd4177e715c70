import Testing
@testable import DeFT

@Suite struct NeighbourSearchTests {
    /// Points around 40 centres on the sphere, so cells mean something.
    static func clustered(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        let centres = SimilarityBlocksTests.random(40, d, seed: seed + 1)
        var z = Matrix(rows: n, cols: d)
        for i in 0..<n {
            let c = Int(rng.next() % 40)
            for f in 0..<d { z[i, f] = centres[c, f] + 0.3 * rng.nextFloat(in: -1...1) }
        }
        return GroupScore.normalisedRows(z)
    }

    @Test func probingEveryCellIsTheExactSearch() throws {
        let z = Self.clustered(500, 12, seed: 1)
        let exact = GroupScore.topNeighbours(z, k: 5)
        let all = try ApproximateNeighbours.search(z, k: 5, probes: 1000)
        #expect(all.indices == exact.indices)
        #expect(zip(all.similarities, exact.similarities).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(ApproximateNeighbours.recall(all, of: z) == 1)
    }

    @Test func fewProbesFindMostNeighboursAndTheRecallSaysHowMany() throws {
        let z = Self.clustered(3000, 16, seed: 2)
        let exact = GroupScore.topNeighbours(z, k: 5)
        let approx = try ApproximateNeighbours.search(z, k: 5, probes: 4)
        // Every row has 5 distinct neighbours, none itself, by descending similarity.
        for i in 0..<3000 {
            let row = Array(approx.indices[(i * 5)..<(i * 5 + 5)])
            #expect(Set(row).count == 5 && !row.contains(i))
            let s = Array(approx.similarities[(i * 5)..<(i * 5 + 5)])
            #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
        }
        var hits = 0
        for i in 0..<3000 { hits += Set(approx.indices[(i * 5)..<(i * 5 + 5)]).intersection(exact.indices[(i * 5)..<(i * 5 + 5)]).count }
        let trueRecall = Double(hits) / 15000
        #expect(trueRecall > 0.8)
        // The sampled estimate is close to the recall over every row.
        #expect(abs(ApproximateNeighbours.recall(approx, of: z, sample: 600) - trueRecall) < 0.05)
    }

    @Test func recallCountsMisses() {
        let z = Self.clustered(50, 8, seed: 3)
        let exact = GroupScore.topNeighbours(z, k: 5)
        // Every row's list shifted to another row's: almost nothing right.
        let wrong = GroupScore.Neighbours(k: 5, indices: Array(exact.indices[5...] + exact.indices[..<5]), similarities: exact.similarities)
        #expect(ApproximateNeighbours.recall(exact, of: z) == 1)
        #expect(ApproximateNeighbours.recall(wrong, of: z) < 0.5)
    }

    @Test func theSearchFollowsTheOptionAndAutoIsExactBelowTheThreshold() throws {
        #expect(!NeighbourSearch.auto.isApproximate(tokens: NeighbourSearch.autoThreshold))
        #expect(NeighbourSearch.auto.isApproximate(tokens: NeighbourSearch.autoThreshold + 1))
        #expect(NeighbourSearch.approximate.isApproximate(tokens: 2) && !NeighbourSearch.exact.isApproximate(tokens: 1 << 40))
        let z = Self.clustered(400, 8, seed: 4)
        let s = [Float](repeating: 1, count: 400)
        let exact = GroupScore.text(zn: z, saliency: s, batch: 1, tokens: 400)
        let approx = NeighbourSearch.$current.withValue(.approximate) { GroupScore.text(zn: z, saliency: s, batch: 1, tokens: 400) }
        #expect(approx.neighbours.count == exact.neighbours.count)
        // Tiny inputs still work approximately (one or two tokens, fewer cells than probes).
        for n in [2, 3] {
            let t = NeighbourSearch.$current.withValue(.approximate) { GroupScore.text(zn: Self.clustered(n, 4, seed: 5), saliency: [Float](repeating: 1, count: n), batch: 1, tokens: n) }
            #expect(t.neighbours.count == n * (n - 1))
        }
    }
}
