import DeFT
import DeFTTrain
import Testing
@testable import DeFTEval

@Suite struct AccuracyEvaluationTests {
    /// Every method at 100 % keeps every token, so all must predict what the head predicts on all
    /// tokens; below that they must still return one prediction per input.
    @Test func everyMethodAgreesWithTheFullHeadAtFullRetention() throws {
        var rng = SplitMix64(seed: 9)
        let layout = TokenLayout.image(height: 4, width: 4), d = 5
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: d, semanticDim: 8), seed: 3)
        let head = ClassifyObjective(classes: 3, semanticDim: 8, seed: 4)
        let inputs = (0..<12).map { _ in Matrix(rows: 16, cols: d, storage: (0..<(16 * d)).map { _ in rng.nextFloat(in: -1...1) }) }
        let all = try ClassifierEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: 1)
        #expect(Set(all).count > 1, "a degenerate head would make this test vacuous")
        for m in Method.allCases {
            #expect(try AccuracyEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, method: m, ratio: 1) == all, "\(m)")
            #expect(try AccuracyEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, method: m, ratio: 0.25).count == 12)
        }
    }
}
