import DeFT
import DeFTMedia
@testable import DeFTTrain
import Foundation
import Testing

@Suite struct TrainerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func digits(_ count: Int, offset: Int = 0) throws -> (LabelledDigits, [Int]) {
        let d = try LabelledDigits.load(folder: packageRoot.appendingPathComponent("Samples/digits").path)
        return (d, Array(d.split().train.dropFirst(offset).prefix(count)))
    }

    static func digitTrainer(_ count: Int, semanticDim: Int = 32, batch: Int = 32, lr: Float = 3e-3, seed: UInt64 = 0) throws -> Trainer {
        let (d, idx) = try digits(count)
        let data = try TrainingSet(layout: .image(height: 7, width: 7), inputs: idx.map(d.tokens), labels: idx.map { d.labels[$0] })
        var o = TrainingOptions()
        o.batchSize = batch; o.learningRate = lr; o.seed = seed
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 33, semanticDim: semanticDim), seed: seed)
        return Trainer(model: model, objective: ClassifyObjective(classes: 10, semanticDim: semanticDim, seed: seed), data: data, options: o)
    }

    @Test func oneStepLowersTheLossOnAFixedBatch() throws {
        for objective in [ReconstructObjective() as any TaskObjective, ClassifyObjective(classes: 10, semanticDim: 32, seed: 0)] {
            var t = try Self.digitTrainer(16, batch: 16, lr: 1e-3)
            t.objective = objective
            let (x, labels) = t.data.batch(Array(0..<16))
            let before = t.lossAndGradients(tokens: x, batch: 16, labels: labels).0
            t.step()
            let after = t.lossAndGradients(tokens: x, batch: 16, labels: labels).0
            #expect(after.taskLoss < before.taskLoss, "\(objective.name): \(before.taskLoss) → \(after.taskLoss)")
            #expect(after.rtdLoss! < before.rtdLoss!)
        }
    }

    /// 600 steps of 32 (learning rate 1e-2, d′ = 32) on 2000 training digits; 500 held-out digits.
    /// The stated bar: 55 % with 48.2 % of the tokens kept (chance is 10 %; release runs of the
    /// same setting reach about 69 %, and 3000 steps about 80 %).
    @Test func frozenPartsDoNotMoveAndTheRestDoes() throws {
        var t = try Self.digitTrainer(16, batch: 16)
        t.frozen = ["sam", "classifier"]
        let sam = t.model.sam1.weight, head = (t.objective as! ClassifyObjective).head.weight, scorer = t.model.score1.weight
        t.step()
        #expect(t.model.sam1.weight == sam)
        #expect((t.objective as! ClassifyObjective).head.weight == head)
        #expect(t.model.score1.weight != scorer)
    }

    @Test func aShortRunOnTheDigitsLearnsToClassify() throws {
        var t = try Self.digitTrainer(2000, lr: 1e-2)
        for _ in 0..<600 { t.step() }
        let (d, _) = try Self.digits(0)
        let test = Array(d.split().test.prefix(500))
        let head = t.objective as! ClassifyObjective
        let p = try ClassifierEvaluation.predictions(model: t.model, head: head, inputs: test.map(d.tokens),
                                                 layout: .image(height: 7, width: 7), ratio: 0.482)
        let acc = ClassifierEvaluation.accuracy(p, test.map { d.labels[$0] })
        #expect(acc >= 0.55, "accuracy \(acc)")
    }

    @Test func savedWeightsReloadBitIdenticallyAndResumeContinuesExactly() throws {
        var straight = try Self.digitTrainer(64, semanticDim: 16, batch: 8)
        for _ in 0..<6 { straight.step() }

        var first = try Self.digitTrainer(64, semanticDim: 16, batch: 8)
        for _ in 0..<3 { first.step() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deft-train-\(UUID().uuidString).safetensors").path
        let sidecar = TrainingSidecar(objective: "classify", data: ["digits"], options: first.options, semanticDim: 16, steps: 3,
                                      finalTaskLoss: 0, finalRTDLoss: nil, testAccuracy: nil, date: "", command: "")
        try Checkpoint.save(first, to: path, sidecar: sidecar)

        let model = try DeFTModel(safetensors: path)
        #expect(model.stateDict().map(\.tensor) == first.model.stateDict().map(\.tensor))
        let head = try Checkpoint.loadHead(beside: path)
        #expect(head.head == (first.objective as! ClassifyObjective).head)
        #expect(try Checkpoint.loadSidecar(beside: path) == sidecar)

        var resumed = Trainer(model: model, objective: head, data: first.data, options: first.options,
                              adam: try Checkpoint.loadOptimizer(beside: path, learningRate: first.options.learningRate))
        for _ in 0..<3 { resumed.step() }
        #expect(resumed.model.stateDict().map(\.tensor) == straight.model.stateDict().map(\.tensor))
        #expect((resumed.objective as! ClassifyObjective).head == (straight.objective as! ClassifyObjective).head)
    }
}

/// Options and records are checked before anything is written.
@Suite struct CheckpointSafetyTests {
    @Test func feedbackDropoutDropsTheShareAskedForAndOnlyThen() throws {
        var t = try TrainerTests.digitTrainer(16, batch: 8)
        #expect((1...200).allSatisfy { !t.dropsFeedback(step: $0) }, "0: the reference, always feedback")
        var o = t.options
        o.feedbackDropout = 0.5
        t = Trainer(model: t.model, objective: t.objective, data: t.data, options: o)
        let dropped = (1...2000).filter { t.dropsFeedback(step: $0) }
        #expect(dropped.count > 900 && dropped.count < 1100)
        #expect(dropped == (1...2000).filter { t.dropsFeedback(step: $0) }, "a function of seed and step")
        // A dropped step scores without feedback: its constants carry none, the others do.
        let (x, _) = t.data.batch(Array(0..<8))
        let stepOfNextCall = t.adam.step + 1
        #expect((t.constants(tokens: x, batch: 8).feedback == nil) == t.dropsFeedback(step: stepOfNextCall))
        // Older training records, without the field, read as 0.
        let old = try JSONDecoder().decode(TrainingOptions.self, from: Data(#"{"ratio":0.5,"temperature":0.05,"batchSize":4,"learningRate":0.001,"seed":1}"#.utf8))
        #expect(old.feedbackDropout == 0 && old.batchSize == 4)
    }

    @Test func optionsAreValidatedBeforeTraining() {
        var o = TrainingOptions()
        o.temperature = .infinity
        #expect(throws: DeFTError("--temperature", "must be a positive finite number, got inf")) { try o.validate() }
        o = TrainingOptions(); o.learningRate = .nan
        #expect(throws: DeFTError.self) { try o.validate() }
        #expect(throws: Never.self) { try TrainingOptions().validate() }
    }

    @Test func aRecordJSONCannotHoldLeavesNoFilesBehind() throws {
        let trainer = try TrainerTests.digitTrainer(8, semanticDim: 8, batch: 4)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nan-\(UUID().uuidString).safetensors").path
        let record = TrainingSidecar(objective: "classify", data: [], options: trainer.options, semanticDim: 8, steps: 0,
                                     finalTaskLoss: .nan, finalRTDLoss: nil, testAccuracy: nil, date: "", command: "")
        #expect(throws: DeFTError.self) { try Checkpoint.save(trainer, to: out, sidecar: record) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: Checkpoint.companion(out, ".head.safetensors")))
    }

    @Test func labelsOutsideAHeadAndTrainingLabelsOutOfRangeAreRefused() {
        let head = ClassifyObjective(classes: 3, semanticDim: 4, seed: 0)
        #expect(throws: DeFTError("h", "label 3 is outside the head's 3 classes (0…2)")) { try head.check(labels: [0, 3], source: "h") }
        #expect(throws: DeFTError.self) { try head.check(labels: [-1], source: "h") }
        #expect(throws: Never.self) { try head.check(labels: [2, 0], source: "h") }
        #expect(throws: DeFTError.self) { _ = try TrainingSet(layout: .text(count: 1), inputs: [Matrix(rows: 1, cols: 2)], labels: [-1]) }
    }
}
