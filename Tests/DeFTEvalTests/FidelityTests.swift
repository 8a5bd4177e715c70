import DeFT
import Testing
@testable import DeFTEval

@Suite struct FidelityTests {
    // x0 = (1,0), x1 = (0.8,0.6) (cosine 0.8 with x0, 0.6 with x2), x2 = (0,1); Σ‖x‖² = 3.
    let x = Matrix(rows: 3, cols: 2, storage: [1, 0, 0.8, 0.6, 0, 1])

    @Test func prunedTokensAreStoodInForByTheirMostSimilarKeptToken() {
        let index = FidelityIndex(tokens: x, rankings: [.random: [0, 2, 1]], threshold: 0.75)
        let two = index.fidelity(Reduction(method: .random, ranking: [0, 2, 1], k: 2))
        #expect(abs(two.error - 0.4 / 3) < 1e-6)       // ‖x1 − x0‖² = 0.04 + 0.36
        #expect(two.coverage == 1)                     // 0.8 ≥ 0.75
        let one = index.fidelity(Reduction(method: .random, ranking: [0, 2, 1], k: 1))
        #expect(abs(one.error - (0.4 + 2) / 3) < 1e-6)  // x2 → x0: ‖(−1, 1)‖² = 2
        #expect(abs(one.coverage - 2.0 / 3) < 1e-9)
        let all = index.fidelity(Reduction(method: .random, ranking: [0, 2, 1], k: 3))
        #expect(all.error == 0 && all.coverage == 1)
        let strict = FidelityIndex(tokens: x, rankings: [.random: [0, 2, 1]], threshold: 0.9)
        #expect(abs(strict.fidelity(Reduction(method: .random, ranking: [0, 2, 1], k: 2)).coverage - 2.0 / 3) < 1e-9)
    }

    @Test func mergedTokensAreJudgedAgainstTheirGroupMean() {
        let index = FidelityIndex(tokens: x, rankings: [:], threshold: 0.9)
        // x0 and x1 merged into slot 1: mean (0.9, 0.3); each is 0.1²+0.3² = 0.1 away.
        let f = index.fidelity(Reduction(method: .tome, k: 2, isKept: [false, true, true], anchor: [1, 1, 2]))
        #expect(abs(f.error - 0.2 / 3) < 1e-6)
        #expect(f.coverage == 1)   // cosines 0.949 and 0.949
    }

    @Test(arguments: [(1, 256), (2, 256), (3, 2), (60, 7), (300, 256)])
    func theRecordIndexAgreesWithABruteForceSearchAtEveryK(n: Int, blockRows: Int) {
        var rng = SplitMix64(seed: 11)
        let d = 6
        let tokens = Matrix(rows: n, cols: d, storage: (0..<(n * d)).map { _ in rng.nextFloat(in: -1...1) })
        let ranking = BaselineRankings.random(count: n, seed: 5), uniform = Array(0..<n)
        let index = FidelityIndex(tokens: tokens, rankings: [.random: ranking, .uniform: uniform], threshold: 0.5, blockRows: blockRows)
        func cosine(_ i: Int, _ j: Int) -> Float {
            var dot: Float = 0, a: Float = 0, b: Float = 0
            for f in 0..<d {
                dot += tokens[i, f] * tokens[j, f]; a += tokens[i, f] * tokens[i, f]; b += tokens[j, f] * tokens[j, f]
            }
            return dot / (a * b).squareRoot()
        }
        for (method, order) in [(Method.random, ranking), (.uniform, uniform)] {
            for k in Set([1, 2, 13, 30, 59, 60, n - 1, n].filter { $0 >= 1 && $0 <= n }) {
                let kept = Array(order.prefix(k))
                let fast = index.standIns(method, k: k)
                for i in 0..<n {
                    let best = kept.contains(i) ? i : kept.max { cosine(i, $0) < cosine(i, $1) }!
                    #expect(fast[i].token == best, "\(method) k \(k), token \(i)")
                    #expect(abs(fast[i].cosine - (best == i ? 1 : cosine(i, best))) < 1e-5)
                }
            }
        }
    }

    @Test func everyMethodIsExactAtFullRetentionAndImprovesWithMoreTokens() {
        var rng = SplitMix64(seed: 2)
        let layout = TokenLayout.image(height: 6, width: 6), d = 8
        let tokens = Matrix(rows: 36, cols: d, storage: (0..<(36 * d)).map { _ in rng.nextFloat(in: -1...1) })
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: d, semanticDim: 16), seed: 1)
        let scores = try! DeFTPipeline.score(model, tokens: tokens, batch: 1, layout: layout)[0]
        let cmp = Comparison(tokens: tokens, semantic: DeFTPipeline.semantic(model, tokens), scores: scores)
        for m in Method.allCases {
            let curve = cmp.curve(m)
            #expect(curve.last!.error < 1e-6 && curve.last!.coverage == 1, "\(m)")
            #expect(curve.first!.error > curve.last!.error)
            #expect(cmp.reduction(m, ratio: 0.25).isKept.filter { $0 }.count == 9, "\(m)")
        }
        #expect(cmp.reduction(.deft, ratio: 0.3).isKept == scores.selection(ratio: 0.3, mode: .fast).isKept)
    }
}
