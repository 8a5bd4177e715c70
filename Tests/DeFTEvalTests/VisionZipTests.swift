import DeFT
import Testing
@testable import DeFTEval

@Suite struct VisionZipTests {
    static func tokens(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var state = seed
        return Matrix(rows: n, cols: d, storage: (0..<(n * d)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001) / 1000 - 1
        })
    }

    @Test func theSplitIsThePapersFiftyFourToTen() {
        #expect(VisionZip.contextualCount(keeping: 64, of: 576) == 10)
        #expect(VisionZip.contextualCount(keeping: 128, of: 576) == 20)
        #expect(VisionZip.contextualCount(keeping: 192, of: 576) == 30)
        #expect(VisionZip.contextualCount(keeping: 2, of: 256) == 1, "something is carried while anything is cut")
        #expect(VisionZip.contextualCount(keeping: 256, of: 256) == 0)
    }

    @Test(arguments: [1, 5, 32, 64, 123, 192, 256])
    func keepsKTokensTheDominantOnesByCLSAttentionTheRestJoinTheirMostSimilarTarget(_ k: Int) {
        let n = 256, d = 8
        let x = Self.tokens(n, d, seed: 3)
        let attention = (0..<n).map { Float(($0 * 37) % n) }   // a permutation: no ties
        let anchors = VisionZip.anchors(tokens: x, clsAttention: attention, keeping: k)
        let kept = Set(anchors)
        #expect(kept.count == k)
        #expect(kept.allSatisfy { anchors[$0] == $0 }, "a kept token carries itself")
        let c = VisionZip.contextualCount(keeping: k, of: n)
        let dominant = Set(DeFTPipeline.ranking(attention).prefix(k - c))
        #expect(dominant.isSubset(of: kept))
        // Every token that is neither dominant nor kept joined the kept non-dominant token of highest cosine.
        let targets = kept.subtracting(dominant).sorted()
        #expect(targets.count == c)
        let z = GroupScore.normalisedRows(x)
        func cosine(_ a: Int, _ b: Int) -> Float { (0..<d).reduce(0) { $0 + z.storage[a * d + $1] * z.storage[b * d + $1] } }
        for t in 0..<n where !kept.contains(t) {
            #expect(targets.contains(anchors[t]))
            let best = targets.max { cosine(t, $0) < cosine(t, $1) }!
            #expect(cosine(t, anchors[t]) == cosine(t, best))
        }
        // The targets are spread through the remaining tokens, every ⌊R/C⌋-th in position order.
        if c > 0 {
            let remaining = (0..<n).filter { !dominant.contains($0) }
            let step = max(1, remaining.count / c)
            #expect(targets == (0..<c).map { remaining[$0 * step] })
        }
    }
}
