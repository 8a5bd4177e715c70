import DeFT
import Testing

/// What every consumer of `TokenScores` and `Selection` relies on, at every ratio and mode.
@Suite struct SelectionInvariantTests {
    @Test(arguments: [TokenLayout.image(height: 5, width: 7), .video(frames: 3, height: 2, width: 3), .text(count: 11)])
    func rankInvertsTheRankingAndEverySelectionPartitionsTheTokens(_ layout: TokenLayout) throws {
        var rng = SplitMix64(seed: 17)
        let n = layout.count
        let x = Matrix(rows: n, cols: 4, storage: (0..<(n * 4)).map { _ in rng.nextFloat(in: -1...1) })
        let scores = try DeFTPipeline.score(DeFTModel(untrained: DeFTConfig(tokenDim: 4, semanticDim: 6), seed: 3),
                                            tokens: x, batch: 1, layout: layout)[0]
        #expect(scores.ranking.sorted() == Array(0..<n))
        for (r, i) in scores.ranking.enumerated() { #expect(scores.rank[i] == r) }
        for percent in stride(from: 1, through: 100, by: 7) {
            for mode in InferenceMode.allCases {
                let sel = scores.selection(ratio: Double(percent) / 100, mode: mode)
                #expect(sel.kept.count == sel.k && sel.keptByScore.count == sel.k)
                #expect(Set(sel.kept) == Set(sel.keptByScore) && sel.kept == sel.kept.sorted())
                #expect(Set(sel.kept).isDisjoint(with: sel.pruned) && (sel.kept + sel.pruned).sorted() == Array(0..<n))
                #expect(Set(sel.reconstructed).isSubset(of: Set(sel.pruned)))
                #expect(sel.isKept.indices.filter { sel.isKept[$0] } == sel.kept)
                // Kept tokens are the best-ranked: no pruned token outranks a kept one.
                #expect((sel.kept.map { scores.rank[$0] }.max() ?? -1) < (sel.pruned.map { scores.rank[$0] }.min() ?? n))
            }
        }
    }
}
