import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation
import Testing
@testable import DeFTViz

/// A bundle whose head is a reader: the panel's answer lines, and the precomputed accuracy curve on `g`.
@Suite struct ReaderBundleTests {
    static let layout = TokenLayout.image(height: 6, width: 6)
    static let classes = ["cat", "dog", "owl", "fox"]

    /// A sample scored through the service with a reader as its head, as the viewer scores a bundle.
    static func scored(label: Int?) throws -> (ScoredSample, Reader) {
        var rng = SplitMix64(seed: 42)
        let d = 8
        let tokens = Matrix(rows: 36, cols: d, storage: (0..<(36 * d)).map { _ in rng.nextFloat(in: -1...1) })
        let reader = Reader(tokenDim: d, gridHeight: 6, gridWidth: 6, classes: 4, width: 8, queries: 2, hiddenWidth: 8, seed: 3)
        let service = ScoringService(model: DeFTModel(untrained: DeFTConfig(tokenDim: d, semanticDim: 6), seed: 1), head: reader)
        let outcome = try service.score(tokens: tokens, batch: 1, layout: layout, reconstruction: true)
        var sample = LoadedSample(name: "reader sample", media: .image(Fixtures.gradient(48, 48)),
                                  tokenSet: TokenSet(tokens: tokens, layout: layout, featureOrigin: "test features"), label: label)
        sample.classNames = classes
        var s = ScoredSample(sample: sample, scores: outcome.rows[0], semantic: outcome.forward.z, weights: "test",
                             feedbackSource: outcome.feedbackSource)
        s.answers = HeadAnswers(head: reader, model: service.model, tokens: tokens, semantic: outcome.forward.z)
        return (s, reader)
    }

    /// The reader's own answer through a mask: what the panel must print.
    static func expected(_ reader: Reader, _ tokens: Matrix, mask: [Float]) -> (String, Int) {
        let p = RowStatistics.softmax(reader.logits(tokens: tokens, mask: mask, batch: 1).storage[0..<4])
        let c = p.indices.max { p[$0] < p[$1] }!
        return ("\(classes[c]) \(Int((p[c] * 100).rounded())) %", c)
    }

    @Test func theReaderIsTheHeadItsAnswersFollowTheSelection() throws {
        let (s, reader) = try Self.scored(label: nil)
        #expect(s.feedbackSource == .reader(label: nil) && s.feedbackSource.description == "reader, own prediction")
        let gate = try #require(s.scores.gate, "the reader's per-token logits drive the gate")
        #expect(gate.probability.count == 36)
        let x = s.sample.tokenSet.tokens
        let sel = s.scores.selection(ratio: 0.25, mode: .fast)
        var mask = [Float](repeating: 0, count: 36)
        for t in sel.kept { mask[t] = 1 }
        let all = Self.expected(reader, x, mask: [Float](repeating: 1, count: 36)), kept = Self.expected(reader, x, mask: mask)
        let lines = answerLines(s.answers!, selection: sel, label: nil, classes: Self.classes)
        #expect(lines.map(\.text) == ["reader's answer", "all 36: \(all.0)", "kept 9: \(kept.0)"])
        // With the label known each answer says whether it is right, in the kept or pruned colour.
        let labelled = answerLines(s.answers!, selection: sel, label: all.1, classes: Self.classes)
        #expect(labelled[0].text == "reader's answer (label: \(Self.classes[all.1]))")
        #expect(labelled[1].text == "all 36: \(all.0) right" && labelled[1].colour == Theme.kept)
        #expect(labelled[2].text == "kept 9: \(kept.0) \(kept.1 == all.1 ? "right" : "wrong")")
        // Scrubbing changes what is read: at a tiny ratio the reader sees one token.
        let one = s.scores.selection(ratio: 1.0 / 36, mode: .fast)
        var oneMask = [Float](repeating: 0, count: 36)
        oneMask[one.kept[0]] = 1
        #expect(answerLines(s.answers!, selection: one, label: nil, classes: Self.classes)[2].text
                == "kept 1: \(Self.expected(reader, x, mask: oneMask).0)")
    }

    @Test func hybridReadsTheRestoredTokensAsTheirReconstructions() throws {
        let (s, reader) = try Self.scored(label: nil)
        let sel = s.scores.selection(ratio: 0.25, mode: .hybrid)
        try #require(!sel.reconstructed.isEmpty, "the untrained gate restores some tokens")
        var x = s.sample.tokenSet.tokens
        let decoded = try #require(DeFTPipeline.reconstruct(DeFTModel(untrained: DeFTConfig(tokenDim: 8, semanticDim: 6), seed: 1), x))
        var mask = [Float](repeating: 0, count: 36)
        for t in sel.kept { mask[t] = 1 }
        for t in sel.reconstructed {
            mask[t] = 1
            for f in 0..<8 { x[t, f] = decoded[t, f] }
        }
        let line = answerLines(s.answers!, selection: sel, label: nil, classes: Self.classes)[2].text
        #expect(line == "kept 9 + \(sel.reconstructed.count) restored: \(Self.expected(reader, x, mask: mask).0)")
    }

    @Test func thePanelShowsTheAnswersAtTheTop() throws {
        let (s, _) = try Self.scored(label: 2)
        let state = Fixtures.state([s], width: 100, height: 30)
        let lines = view(state).text.split(separator: "\n").map(String.init)
        let panelX = ScreenLayout(width: 100, height: 30).panel.x + 1
        let panel = lines.map { String($0.dropFirst(panelX)) }
        #expect(panel[1].hasPrefix("reader's answer (label: owl)"), "\(panel[1])")
        #expect(panel[2].hasPrefix("all 36: ") && panel[3].hasPrefix("kept \(TokenScores.keepCount(ratio: DeFTConfig.paperRatio, tokens: 36)): "))
    }

    static let report = """
    {"task": "fashion-mnist-small", "train": 40, "test": 10, "full": {"accuracy": 0.9, "stderr": 0.09},
     "rows": [
      {"method": "deft", "mode": "fast", "ratio": 0.25, "k": 64, "tokens_read": 64, "accuracy": 0.8, "stderr": 0.1, "paired_diff_vs_uniform": 0.1, "paired_stderr": 0.1, "retained": 0.889},
      {"method": "deft", "mode": "hybrid", "ratio": 0.25, "k": 64, "tokens_read": 70, "accuracy": 0.7, "stderr": 0.1, "paired_diff_vs_uniform": 0, "paired_stderr": 0.1, "retained": 0.778},
      {"method": "uniform", "mode": "fast", "ratio": 0.25, "k": 64, "tokens_read": 64, "accuracy": 0.7, "stderr": 0.1, "paired_diff_vs_uniform": 0, "paired_stderr": 0, "retained": 0.778},
      {"method": "deft", "mode": "fast", "ratio": 0.5, "k": 128, "tokens_read": 128, "accuracy": 0.9, "stderr": 0.1, "paired_diff_vs_uniform": 0, "paired_stderr": 0, "retained": 1},
      {"method": "deft", "mode": "hybrid", "ratio": 0.5, "k": 128, "tokens_read": 130, "accuracy": 0.9, "stderr": 0.1, "paired_diff_vs_uniform": 0, "paired_stderr": 0, "retained": 1},
      {"method": "uniform", "mode": "fast", "ratio": 0.5, "k": 128, "tokens_read": 128, "accuracy": 0.6, "stderr": 0.1, "paired_diff_vs_uniform": 0, "paired_stderr": 0, "retained": 0.667}
     ]}
    """

    @Test func theCurveFileIsParsedIntoOneSeriesPerMethodAndMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deft-curve-\(getpid()).json").path
        try Data(Self.report.utf8).write(to: URL(fileURLWithPath: path))
        let curve = try AccuracyCurve.load(path: path)
        #expect(curve.task == "fashion-mnist-small" && curve.test == 10 && curve.full == 0.9)
        #expect(curve.series.map(\.name) == ["deft", "deft hybrid", "uniform"])
        // Every curve ends at ratio 1 with the all-token accuracy.
        #expect(curve.series[2].points == [.init(ratio: 0.25, accuracy: 0.7), .init(ratio: 0.5, accuracy: 0.6), .init(ratio: 1, accuracy: 0.9)])
        #expect(curve.nearestRatio(to: 0.482) == 0.5 && curve.nearestRatio(to: 0.3) == 0.25)
        try Data("{\"task\": 3}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DeFTError.self) { try AccuracyCurve.load(path: path) }
    }

    @Test func gDrawsTheAccuracyCurvesWithoutAComparison() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deft-curve-g-\(getpid()).json").path
        try Data(Self.report.utf8).write(to: URL(fileURLWithPath: path))
        var (s, _) = try Self.scored(label: nil)
        s.accuracyCurve = try AccuracyCurve.load(path: path)
        var state = Fixtures.state([s], width: 100, height: 40)
        let (after, commands) = update(state, .key(.char("g")))
        state = after
        // The curve is precomputed: nothing to compare, nothing to wait for.
        #expect(state.showCurves && commands.isEmpty)
        let f = view(state)
        let text = f.text
        #expect(text.contains("accuracy (%) vs keep ratio · legend at 50.0 % "))
        let wide = view({ var w = state; w.width = 140; return w }()).text
        #expect(wide.contains("accuracy (%) vs keep ratio · legend at 50.0 % · fashion-mnist-small, 10 test images"))
        #expect(text.contains("■ deft 90.0") && text.contains("■ deft hybrid 90.0") && text.contains("■ uniform 60.0"))
        #expect(!text.contains("comparing with the baselines"))
        // DeFT's curve is drawn in its colour: braille cells in the accent colour exist.
        #expect(f.cells.contains { ("\u{2801}"..."\u{28FF}").contains(String($0.glyph)) && $0.fg == Theme.accent })
    }
}
