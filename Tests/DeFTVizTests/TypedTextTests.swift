import DeFT
import Foundation
import Testing
@testable import DeFTViz

/// A typed text goes through the real text encoder and the one scoring path.
@Suite struct TypedTextTests {
    static var miniLMInstalled: Bool {
        let env = ProcessInfo.processInfo.environment
        let root = env["DEFT_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/deft"
        return FileManager.default.fileExists(atPath: root + "/minilm-l6/manifest.json")
    }

    @Test(.enabled(if: miniLMInstalled, "all-MiniLM-L6-v2 is not in the model cache"))
    func aTypedTextIsEncodedByMiniLMAndScored() throws {
        let state = Fixtures.state([Fixtures.image])
        let event = Viewer.perform(.scoreText(sampleIndex: 1, text: "The quick brown fox\u{1B}[2J jumps over the lazy dog."),
                                   state: state, paths: [], settings: Viewer.Settings())
        guard case .loaded(1, .success(let scored))? = event else { Issue.record("not scored: \(String(describing: event))"); return }
        #expect(scored.sample.tokenSet.featureOrigin.hasPrefix("all-MiniLM-L6-v2"))
        #expect(scored.sample.tokenSet.tokens.cols == 384 && scored.scores.count == scored.sample.tokenSet.tokens.rows)
        guard case .text(let doc)? = scored.sample.media else { Issue.record("text media"); return }
        #expect(doc.text.isTerminalSafe, "the escape sequence was neutralised before encoding")
        #expect(doc.tokens.map(\.surface).contains("quick"))
    }
}
