import DeFT
@testable import DeFTTrain
import Foundation
import Testing

/// The one scoring door: its feedback policy, and that inference and training compute one forward.
@Suite struct ScoringServiceTests {
    static let layout = TokenLayout.image(height: 4, width: 4)
    static let tokens = GradientCheckTests.randomMatrix(16, 6, seed: 5)
    static func service(head: Bool) -> ScoringService {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 8), seed: 2)
        return ScoringService(model: model, head: head ? ClassifyObjective(classes: 3, semanticDim: 8, seed: 4) : nil)
    }

    /// Untrained weights are drawn once per (configuration, seed) and are exactly the freshly drawn ones.
    @Test func untrainedWeightsAreSharedAndEqualToFreshOnes() throws {
        let a = try ScoringService(weights: nil, tokenDim: 6, seed: 11, source: "t")
        let b = try ScoringService(weights: nil, tokenDim: 6, seed: 11, source: "t")
        let fresh = DeFTModel(untrained: DeFTConfig(tokenDim: 6), seed: 11).stateDict()
        #expect(a.model.stateDict().map(\.name) == fresh.map(\.name))
        #expect(a.model.stateDict().map(\.tensor) == fresh.map(\.tensor) && b.model.stateDict().map(\.tensor) == fresh.map(\.tensor))
        let other = try ScoringService(weights: nil, tokenDim: 6, seed: 12, source: "t")
        #expect(other.model.stateDict().map(\.tensor) != fresh.map(\.tensor))
    }

    @Test func policyOrderIsGradientThenObjectiveThenBundleThenHeadThenReconstruct() throws {
        let g = GradientCheckTests.randomMatrix(16, 8, seed: 6), bundle = GradientCheckTests.randomMatrix(16, 8, seed: 7)
        let s = Self.service(head: true)
        func source(_ r: FeedbackRequest, bundle: Matrix? = nil) throws -> FeedbackSource {
            try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: r, bundleGradient: bundle).feedbackSource
        }
        #expect(try source(FeedbackRequest(gradient: (g, "g.npy"), objective: .reconstruct), bundle: bundle) == .file("g.npy"))
        #expect(try source(FeedbackRequest(objective: .reconstruct), bundle: bundle) == .reconstruct)
        #expect(try source(FeedbackRequest(objective: ObjectiveName.none), bundle: bundle) == .none)
        #expect(try source(FeedbackRequest(), bundle: bundle) == .bundle)
        #expect(try source(FeedbackRequest()) == .classify(label: nil))
        #expect(try source(FeedbackRequest(label: 2)) == .classify(label: 2))
        let plain = Self.service(head: false)
        #expect(try plain.score(tokens: Self.tokens, batch: 1, layout: Self.layout).feedbackSource == .reconstruct)
        #expect(throws: DeFTError.self) { try plain.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: FeedbackRequest(objective: .classify)) }
        #expect(throws: DeFTError.self) { try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: FeedbackRequest(label: 3)) }
    }

    @Test func aGroundTruthLabelIsUsedOnlyWhenGiven() throws {
        let s = Self.service(head: true)
        let own = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout)
        #expect(own.labels == nil)
        // The head's own prediction as the target gives the same feedback as naming that class.
        let predicted = s.head!.evaluate(z: own.forward.z, tokens: Self.tokens, mask: [Float](repeating: 1, count: 16),
                                         batch: 1, labels: nil).predictions![0]
        let named = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: FeedbackRequest(label: predicted))
        #expect(named.rows[0].feedback == own.rows[0].feedback)
        let other = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: FeedbackRequest(label: (predicted + 1) % 3))
        #expect(other.rows[0].feedback != own.rows[0].feedback)
    }

    @Test func theServiceThePipelineAndTheTrainingTraceRankAlike() throws {
        let s = Self.service(head: false)
        let outcome = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout)
        let g = TaskFeedback.gradient(ReconstructObjective(), z: outcome.forward.z, tokens: Self.tokens, batch: 1, labels: nil).gradient
        let pipeline = try DeFTPipeline.score(s.model, tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: g)[0]
        #expect(pipeline.combined == outcome.rows[0].combined && pipeline.ranking == outcome.rows[0].ranking)
        let fb = DeFTPipeline.feedbackSignal(gradient: g, batch: 1, alphaVar: s.model.config.alphaVar)
        let trace = ScoringTrace(model: s.model, tokens: Self.tokens, batch: 1, layout: Self.layout, feedback: fb)
        #expect(trace.combined == pipeline.combined)
    }

    @Test func theDictionaryRunsOnlyWhenAsked() throws {
        let s = Self.service(head: false)
        #expect(try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout).rows[0].reconstructionError == nil)
        let with = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout, reconstruction: true).rows[0]
        #expect(with.reconstructionError?.count == 16 && with.canReconstruct)
        // Hybrid still brings pruned tokens back without the errors: it needs only an RTD.
        let fast = try s.score(tokens: Self.tokens, batch: 1, layout: Self.layout).rows[0]
        #expect(fast.selection(ratio: 0.5, mode: .hybrid).reconstructed.count == 8)
    }

    @Test func weightsOfAnotherWidthAreNamedInOneLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UInt32.random(in: 0...UInt32.max)).safetensors").path
        try DeFTModel(untrained: DeFTConfig(tokenDim: 5, semanticDim: 8), seed: 1).save(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: DeFTError.self) { try ScoringService(weights: path, tokenDim: 6, seed: 0, source: "x.npy") }
        #expect(error?.description == "x.npy: tokens have width d=6 but \(path) expects d=5")
    }
}

