import Foundation
import Testing
@testable import DeFT

/// Group scores on inputs small enough to check by hand.
@Suite struct GroupScoreTests {
    /// Unit vectors at the given angles (radians) in the plane: cos(zi, zj) = cos(ai − aj).
    func plane(_ angles: [Float]) -> Matrix {
        Matrix(rows: angles.count, cols: 2, storage: angles.flatMap { [cos($0), sin($0)] })
    }

    @Test func imageCornerAveragesItsThreeNeighbours() {
        // 2×2 grid: every token neighbours the other three.
        let zn = plane([0, 0, .pi / 2, .pi])
        let s: [Float] = [0.1, 0.2, 0.3, 0.4]
        let g = GroupScore.grid(zn: zn, saliency: s, batch: 1, layout: .image(height: 2, width: 2))
        // token 0: cos 0·0.2 + cos(π/2)·0.3 + cos(π)·0.4 = 0.2 + 0 − 0.4, over 3.
        #expect(abs(g[0] - (-0.2 / 3)) < 1e-6)
        // token 3: cos(π)·0.1 + cos(π)·0.2 + cos(π/2)·0.3 = −0.3, over 3.
        #expect(abs(g[3] - (-0.1)) < 1e-6)
    }

    @Test func singleRowImageUsesLeftAndRightOnly() {
        let zn = plane([0, 0, 0])
        let g = GroupScore.grid(zn: zn, saliency: [1, 2, 3], batch: 1, layout: .image(height: 1, width: 3))
        #expect(g == [2, 2, 2])   // (2)/1, (1+3)/2, (2)/1
    }

    @Test func singleFrameVideoHasNoNeighbours() {
        let g = GroupScore.grid(zn: plane([0, 1, 2, 3]), saliency: [1, 1, 1, 1], batch: 1,
                                layout: .video(frames: 1, height: 2, width: 2))
        #expect(g == [0, 0, 0, 0])
    }

    @Test func videoAveragesTheSamePatchTwoFramesEachWay() {
        // 5 frames of one patch: frame 2 sees frames 0, 1, 3, 4.
        let g = GroupScore.grid(zn: plane([0, 0, 0, 0, .pi]), saliency: [1, 2, 3, 4, 5], batch: 1,
                                layout: .video(frames: 5, height: 1, width: 1))
        #expect(abs(g[2] - (1 + 2 + 4 - 5) / 4) < 1e-6)
        #expect(abs(g[0] - (2 + 3) / 2) < 1e-6)
    }

    @Test func textWithFewTokensUsesAllOthers() {
        // N = 3 ≤ 5: each token's neighbours are the other two, most similar first.
        let zn = plane([0, 0.1, 1.5])
        let t = GroupScore.text(zn: zn, saliency: [1, 1, 1], batch: 1, tokens: 3)
        #expect(Array(t.neighbours[0..<2]) == [1, 2])
        #expect(Array(t.neighbours[4..<6]) == [1, 0])
        #expect(abs(t.scores[0] - (cos(0.1) + cos(1.5)) / 2) < 1e-6)
    }

    @Test func textPicksTopFiveOnBatchAverage() {
        // Token 0's most similar five among seven, by angle distance.
        let angles: [Float] = [0, 0.1, 0.2, 3.0, 0.3, 0.4, 2.5]
        let t = GroupScore.text(zn: plane(angles), saliency: [Float](repeating: 1, count: 7), batch: 1, tokens: 7)
        #expect(Array(t.neighbours[0..<5]) == [1, 2, 4, 5, 6])
    }

    @Test func singleTokenTextScoresZero() {
        let t = GroupScore.text(zn: plane([0]), saliency: [1], batch: 1, tokens: 1)
        #expect(t.scores == [0] && t.neighbours.isEmpty)
    }

    @Test func feedbackVariancePenaltyNeedsTwoInputs() {
        // One input: s_fb is the gradient norm. Two inputs that disagree: damped by exp(−α·v).
        let g1 = Matrix(rows: 1, cols: 2, storage: [3, 4])
        #expect(DeFTPipeline.feedbackSignal(gradient: g1, batch: 1, alphaVar: 0.1) == [5])
        let g2 = Matrix(rows: 2, cols: 2, storage: [3, 4, -3, -4])
        // variance per feature (unbiased, B = 2): 18 and 32 → mean 25.
        let s = DeFTPipeline.feedbackSignal(gradient: g2, batch: 2, alphaVar: 0.1)
        #expect(abs(s[0] - 5 * exp(-2.5)) < 1e-5 && abs(s[1] - s[0]) < 1e-7)
    }

    @Test func ratioChangeReselectsWithoutRecomputing() throws {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 4), seed: 3)
        var rng = SplitMix64(seed: 9)
        let x = Matrix(rows: 16, cols: 6, storage: (0..<96).map { _ in rng.nextFloat(in: -1...1) })
        let row = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: .image(height: 4, width: 4))[0]
        let a = row.selection(ratio: 0.25, mode: .fast), b = row.selection(ratio: 0.5, mode: .fast)
        #expect(a.k == 4 && b.k == 8)
        #expect(Set(a.kept).isSubset(of: Set(b.kept)))   // nested: the same ranking serves every ratio
        #expect(a.keptByScore.map { row.combined[$0] } == a.keptByScore.map { row.combined[$0] }.sorted(by: >))
        let h = row.selection(ratio: 0.25, mode: .hybrid)
        #expect(h.reconstructed == h.pruned)              // no logits: every pruned token comes back
        #expect(row.selection(ratio: 0.25, mode: .adaptive).path == .fast)
    }
}
