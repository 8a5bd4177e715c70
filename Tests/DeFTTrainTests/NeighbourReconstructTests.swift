import DeFT
@testable import DeFTTrain
import Foundation
import Testing

/// The reconstruct objective over neighbours: the all-pairs one when everyone is a neighbour, a true
/// gradient when only a few are, and the feedback the service picks for long inputs.
@Suite struct NeighbourReconstructTests {
    @Test(arguments: [(1, 1), (2, 1), (13, 1), (13, 2)])
    func everyTokenANeighbourIsTheAllPairsObjective(n: Int, batch: Int) {
        let z = GradientCheckTests.randomMatrix(batch * n, 6, seed: UInt64(n)), x = GradientCheckTests.randomMatrix(batch * n, 5, seed: 99)
        let m = (0..<(batch * n)).map { Float(($0 * 7) % 4) / 3 }
        let lists = (0..<n).map { i in (0..<n).filter { $0 != i } }
        let got = NeighbourReconstructObjective(lists: lists, temperature: 0.3).evaluate(z: z, tokens: x, mask: m, batch: batch, labels: nil)
        let want = ReconstructBlocksTests.reference(z: z, x: x, m: m, batch: batch, tau: 0.3)
        #expect(abs(got.loss - want.loss) <= 1e-5 * max(want.loss, 1e-6))
        let gs = want.semantic.map(abs).max() ?? 0, ms = want.mask.map(abs).max() ?? 0
        #expect(zip(got.semantic.storage, want.semantic).allSatisfy { abs(Double($0) - $1) <= 1e-4 * gs + 1e-7 })
        #expect(zip(got.mask, want.mask).allSatisfy { abs(Double($0) - $1) <= 1e-4 * ms + 1e-7 })
    }

    @Test(arguments: [TokenLayout.image(height: 3, width: 4), .video(frames: 3, height: 2, width: 2)])
    func theGradientThroughGridNeighboursMatchesFiniteDifferences(_ layout: TokenLayout) throws {
        let objective = NeighbourReconstructObjective(layout: layout, textNeighbours: nil, temperature: 0.5)
        let t = try GradientCheckTests.trainer(objective: objective, layout: layout, batch: 2, labels: nil)
        let r = GradientCheckTests.check(t, batch: 2, labels: nil)
        GradientCheckTests.expectClose(r)
        for (name, _, an) in r where !name.contains("reconstruct_gate") { #expect(an != 0, "\(name) got no gradient") }
    }

    @Test func textUsesItsOwnNeighbourListsOneWay() throws {
        // Token i's neighbours are the next two (wrapping): lists need not be symmetric.
        let n = 9
        let lists = (0..<n).map { [($0 + 1) % n, ($0 + 2) % n] }
        let fromLayout = NeighbourReconstructObjective(layout: .text(count: n), textNeighbours: lists.flatMap { $0 })
        #expect(fromLayout.offsets == Array(stride(from: 0, through: 2 * n, by: 2)) && fromLayout.neighbours == lists.flatMap { $0 })
        let t = try GradientCheckTests.trainer(objective: NeighbourReconstructObjective(lists: lists, temperature: 0.5),
                                               layout: .text(count: n), batch: 2, labels: nil)
        GradientCheckTests.expectClose(GradientCheckTests.check(t, batch: 2, labels: nil))
    }

    @Test func gridListsAreTheGroupSignalsNeighbours() {
        let o = NeighbourReconstructObjective(layout: .image(height: 3, width: 3), textNeighbours: nil)
        let centre = Set(o.neighbours[o.offsets[4]..<o.offsets[5]]), corner = Set(o.neighbours[o.offsets[0]..<o.offsets[1]])
        #expect(centre == [0, 1, 2, 3, 5, 6, 7, 8] && corner == [1, 3, 4])
        let v = NeighbourReconstructObjective(layout: .video(frames: 5, height: 1, width: 1), textNeighbours: nil)
        #expect(Set(v.neighbours[v.offsets[2]..<v.offsets[3]]) == [0, 1, 3, 4])
    }

    @Test func aLongInputsDefaultFeedbackIsFromNeighbours() throws {
        let side = 91   // 8 281 tokens: just over the limit
        #expect(side * side > ScoringService.allPairsFeedbackLimit)
        let layout = TokenLayout.image(height: side, width: side)
        let x = GradientCheckTests.randomMatrix(side * side, 3, seed: 8)
        let s = ScoringService(model: DeFTModel(untrained: DeFTConfig(tokenDim: 3, semanticDim: 4), seed: 1), head: nil)
        let long = try s.score(tokens: x, batch: 1, layout: layout)
        #expect(long.feedbackSource == .reconstructNeighbours && long.objective is NeighbourReconstructObjective)
        #expect(long.rows[0].hasFeedback && long.rows[0].feedback.contains { $0 > 0 })
        #expect(long.feedbackSource.description.contains("neighbours"))
        // At the limit, all pairs as before.
        let small = TokenLayout.image(height: 8, width: 8)
        #expect(try s.score(tokens: x.rows(0..<64), batch: 1, layout: small).feedbackSource == .reconstruct)
    }
}
