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
        let approx = GroupScore.text(zn: z, saliency: s, batch: 1, tokens: 400, search: .approximate)
        #expect(exact.search == .exact && approx.search == .approximate)
        #expect(approx.neighbours.count == exact.neighbours.count)
        // Tiny inputs still work approximately (one or two tokens, fewer cells than probes).
        for n in [2, 3] {
            let t = GroupScore.text(zn: Self.clustered(n, 4, seed: 5), saliency: [Float](repeating: 1, count: n), batch: 1, tokens: n, search: .approximate)
            #expect(t.neighbours.count == n * (n - 1) && t.search == .approximate)
        }
    }

    @Test func theSearchIsAParameterOfTheScoringCall() throws {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 8), seed: 1)
        let x = Self.clustered(300, 6, seed: 6), layout = TokenLayout.text(count: 300)
        let exact = ScoringForward(model: model, tokens: x, batch: 1, layout: layout, neighbours: .exact)
        let approx = ScoringForward(model: model, tokens: x, batch: 1, layout: layout, neighbours: .approximate)
        // auto is exact below the threshold; grids have no search to report.
        let auto = ScoringForward(model: model, tokens: x, batch: 1, layout: layout)
        #expect(exact.neighbourSearch == .exact && approx.neighbourSearch == .approximate && auto.neighbourSearch == .exact)
        #expect(auto.textNeighbours == exact.textNeighbours)
        let grid = ScoringForward(model: model, tokens: x.rows(0..<100), batch: 1, layout: .image(height: 10, width: 10), neighbours: .approximate)
        #expect(grid.neighbourSearch == nil)
        let scores = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: layout, neighbours: .approximate)
        #expect(scores[0].semanticNeighbours == approx.textNeighbours)
    }

    @Test func aFaissFailureFallsBackToExactAndSaysSo() throws {
        let z = Self.clustered(60, 8, seed: 7)
        struct Refused: Error {}
        let (found, used) = GroupScore.neighbours(z, alpha: 1, k: 5, search: .approximate) { _, _, _ in
            throw DeFTError("faiss", "Error: 'n >= k' failed")
        }
        #expect(found == GroupScore.topNeighbours(z, k: 5))
        #expect(used == .exactAfterFaissFailed("Error: 'n >= k' failed") && !used.isApproximate)
        let note = try #require(used.note)
        #expect(note.contains("faiss: Error: 'n >= k' failed") && note.contains("exact"))
        // Exact asked for: the approximate search is never tried, and there is nothing to say.
        let (_, exact) = GroupScore.neighbours(z, alpha: 1, k: 5, search: .exact) { _, _, _ in throw Refused() }
        #expect(exact == .exact && exact.note == nil && NeighbourSearchUsed.approximate.note == nil)
    }
}
