import DeFT
import Testing
@testable import DeFTEval

@Suite struct BaselineTests {
    @Test func randomKeepsKAndDependsOnlyOnTheSeed() {
        let a = BaselineRankings.random(count: 100, seed: 7), b = BaselineRankings.random(count: 100, seed: 7)
        #expect(a == b)
        #expect(a != BaselineRankings.random(count: 100, seed: 8))
        #expect(a.sorted() == Array(0..<100))
        for k in [1, 10, 48, 100] {
            #expect(Reduction(method: .random, ranking: a, k: k).isKept.filter { $0 }.count == k)
        }
    }

    @Test func normRanksByLength() {
        let x = Matrix(rows: 4, cols: 2, storage: [1, 0, 3, 4, 0, 2, -6, 0])   // norms 1, 5, 2, 6
        #expect(BaselineRankings.norm(x) == [3, 1, 2, 0])
    }

    @Test func uniformSpreadsEveryPrefixOverTheGrid() {
        // 4×4 from the centre (2,2): the first four land one per 2×2 quadrant.
        let order = BaselineRankings.uniform(.image(height: 4, width: 4))
        #expect(order.sorted() == Array(0..<16))
        #expect(Array(order.prefix(4)) == [10, 0, 3, 12])
        let quadrants = Set(order.prefix(4).map { ($0 / 4 / 2) * 2 + ($0 % 4) / 2 })
        #expect(quadrants.count == 4)
        // Text: every prefix spread evenly, not the first paragraph first.
        for n in [9, 100, 329] {
            let line = BaselineRankings.uniform(.text(count: n))
            #expect(line.sorted() == Array(0..<n))
            for k in [2, 3, 10, n / 4, n * 482 / 1000, n / 2] where k >= 2 {
                let kept = line.prefix(k).sorted()
                let gaps = zip(kept, kept.dropFirst()).map { $1 - $0 } + [kept[0] + n - kept.last!]
                #expect(gaps.max()! <= 2 * ((n + k - 1) / k) + 1, "n \(n), k \(k): gaps up to \(gaps.max()!)")
            }
        }
    }

    @Test func uniformVideoGivesEveryFrameItsShare() {
        let layout = TokenLayout.video(frames: 5, height: 3, width: 4)
        let order = BaselineRankings.uniform(layout)
        #expect(order.sorted() == Array(0..<layout.count))
        for k in 1...layout.count {
            var perFrame = [Int](repeating: 0, count: 5)
            for i in order.prefix(k) { perFrame[i / 12] += 1 }
            #expect(perFrame.max()! - perFrame.min()! <= 1, "k = \(k): \(perFrame)")
        }
    }

    @Test func toMeMergesTheMostSimilarPairFirst() {
        // A = {0, 2}, B = {1, 3}. Token 2 is nearly token 3; token 0 is only loosely like token 1.
        let metric = Matrix(rows: 4, cols: 3, storage: [1, 0, 0,   0.6, 0.8, 0,   0, 0.1, 1,   0, 0, 1])
        let tome = TokenMerging(metric: metric)
        #expect(tome.merges.count == 3)
        #expect(tome.merges[0].source == 2 && tome.merges[0].destination == 3)
        #expect(tome.merges[0].similarity > tome.merges[1].similarity)
        #expect(tome.anchors(keeping: 3) == [0, 1, 3, 3])
        #expect(tome.anchors(keeping: 2) == [1, 1, 3, 3])
        #expect(Set(tome.anchors(keeping: 1)).count == 1)
        let r = tome.reduction(keeping: 3)
        #expect(r.isKept == [true, true, false, true] && r.groupSizes[3] == 2)
    }

    @Test func toMeKeepsExactlyKAtEveryCount() {
        var rng = SplitMix64(seed: 3)
        let metric = Matrix(rows: 37, cols: 5, storage: (0..<185).map { _ in rng.nextFloat(in: -1...1) })
        let tome = TokenMerging(metric: metric)
        for k in 1...37 {
            let r = tome.reduction(keeping: k)
            #expect(r.isKept.filter { $0 }.count == k)
            #expect(Set(r.anchor!).count == k)
            // Every anchor carries itself.
            for (i, a) in r.anchor!.enumerated() where r.isKept[i] { #expect(a == i) }
        }
    }

    /// ToMe with the whole |A|×|B| similarity matrix per round, as it was written before the blocks.
    static func fullMatrixMerges(_ metric: Matrix) -> [TokenMerging.Merge] {
        let d = metric.cols
        var sums = metric, alive = Array(0..<metric.rows), out: [TokenMerging.Merge] = []
        while alive.count > 1 {
            let a = stride(from: 0, to: alive.count, by: 2).map { alive[$0] }
            let b = stride(from: 1, to: alive.count, by: 2).map { alive[$0] }
            let scores = BLAS.matmul(GroupScore.normalisedRows(sums.gatherRows(a)), GroupScore.normalisedRows(sums.gatherRows(b)), transB: true)
            var best = [Int](repeating: 0, count: a.count), bestScore = [Float](repeating: -.infinity, count: a.count)
            for i in 0..<a.count {
                for j in 0..<b.count where scores[i, j] > bestScore[i] { bestScore[i] = scores[i, j]; best[i] = j }
            }
            for i in DeFTPipeline.ranking(bestScore) {
                out.append(.init(source: a[i], destination: b[best[i]], similarity: bestScore[i]))
                for f in 0..<d { sums.storage[b[best[i]] * d + f] += sums.storage[a[i] * d + f] }
            }
            alive = b
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 37, 700])
    func toMeInBlocksMergesAsTheFullMatrixDoes(n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        let metric = Matrix(rows: n, cols: 6, storage: (0..<(n * 6)).map { _ in rng.nextFloat(in: -1...1) })
        let got = TokenMerging(metric: metric).merges, want = Self.fullMatrixMerges(metric)
        #expect(got.count == max(n - 1, 0))
        #expect(got.map(\.source) == want.map(\.source))
        #expect(got.map(\.destination) == want.map(\.destination))
        #expect(zip(got, want).allSatisfy { abs($0.similarity - $1.similarity) < 1e-5 })
    }

    @Test func mergedTokensAreGroupMeans() {
        let x = Matrix(rows: 3, cols: 2, storage: [1, 2, 3, 4, 10, 10])
        let m = TokenMerging.mergedTokens(x, anchors: [1, 1, 2])
        #expect(m.storage == [2, 3, 10, 10])
    }
}
