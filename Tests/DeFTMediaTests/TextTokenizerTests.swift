import Foundation
import Testing
@testable import DeFT
@testable import DeFTMedia

@Suite struct TextTokenizerTests {
    func surfaces(_ s: String) -> [String] { TextTokenizer.tokenize(s).tokens.map(\.surface) }

    @Test func wordsAndPunctuationWithOffsetsThatRoundTrip() {
        let text = "Four score, and seven years ago… don't re-read."
        let doc = TextTokenizer.tokenize(text)
        #expect(doc.tokens.map(\.surface) == ["Four", "score", ",", "and", "seven", "years", "ago", "…", "don't", "re-read", "."])
        let bytes = Array(text.utf8)
        for t in doc.tokens { #expect(String(decoding: bytes[t.byteStart..<t.byteEnd], as: UTF8.self) == t.surface) }
    }

    @Test func unicodeOffsetsAreBytes() {
        let doc = TextTokenizer.tokenize("naïve 東京 🙂!")
        #expect(doc.tokens.map(\.surface) == ["naïve", "東京", "🙂", "!"])
        #expect(doc.tokens[1].byteStart == 7 && doc.tokens[1].byteEnd == 13)
    }

    @Test func emptyTextHasNoTokensAndEmptyFilesAreRefused() throws {
        #expect(TextTokenizer.tokenize("  \n ").tokens.isEmpty)
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(getpid()).txt").path
        FileManager.default.createFile(atPath: p, contents: Data("\n\n".utf8))
        #expect(throws: DeFTError(p, "the text is empty")) { try TextTokenizer.loadText(path: p) }
        FileManager.default.createFile(atPath: p, contents: Data([0x66, 0xFF, 0xFE, 0x41]))
        #expect(throws: DeFTError(p, "not UTF-8 text")) { try TextTokenizer.loadText(path: p) }
    }

    @Test func modelTokenListOffsetsAreBytesOnCharacterBoundaries() throws {
        let text = "Café au lait"
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(getpid()).tsv").path
        FileManager.default.createFile(atPath: p, contents: Data("token\tstart\tend\ncafe\t0\t5\nau\t6\t8\nlait\t9\t13\n".utf8))
        let doc = try TextTokenizer.loadTokenList(path: p, text: text)
        #expect(doc.tokens.map { $0.byteStart } == [0, 6, 9])
        #expect(doc.tokens[2].byteEnd == 13)
        // Byte 4 is inside "é" (two bytes): not a place a token can end.
        FileManager.default.createFile(atPath: p, contents: Data("token\tstart\tend\ncaf\t0\t4\n".utf8))
        #expect(throws: DeFTError.self) { try TextTokenizer.loadTokenList(path: p, text: text) }
    }

    @Test func textFeaturesAreDeterministicAndSeparateWords() {
        let a = TextFeatures.encode(TextTokenizer.tokenize("nation nation liberty"))
        #expect(a.row(0) == a.row(0) && Array(a.row(0)[0..<64]) == Array(a.row(1)[0..<64]))
        #expect(Array(a.row(0)[0..<64]) != Array(a.row(2)[0..<64]))
    }
}

@Suite struct LongTextLimitTests {
    func file(_ contents: Data) -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID().uuidString).txt").path
        FileManager.default.createFile(atPath: p, contents: contents)
        return p
    }

    @Test func aFileOverTheByteLimitIsRefusedBeforeReadingWithTheLimitNamed() {
        let p = file(Data(repeating: 0x61, count: TextTokenizer.maxBytes + 1))
        var message = ""
        do { _ = try SampleLoader.load(p) } catch { message = "\(error)" }
        #expect(message.contains(p) && message.contains("8 MB") && message.contains("250000 tokens"))
    }

    @Test func aTextOverTheTokenLimitIsRefusedWithItsCount() throws {
        let over = file(Data(String(repeating: "a ", count: TextTokenizer.maxTokens + 1).utf8))
        do { _ = try SampleLoader.load(over); Issue.record("accepted \(TextTokenizer.maxTokens + 1) tokens") } catch {
            #expect("\(error)".contains("\(TextTokenizer.maxTokens + 1) tokens") && "\(error)".contains(over))
        }
    }
}
