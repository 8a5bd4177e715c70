import DeFT
@testable import DeFTEncoders
import Foundation
import Testing

@Suite struct WordPieceTokenizerTests {
    /// Accents, punctuation, CJK (and kana, hangul), unknown and over-long words, emoji, control characters,
    /// empty text, decomposed input, Greek, Turkish dotted I, ligatures: pieces, ids and UTF-8 spans as
    /// Hugging Face's Rust tokenizer (MiniLM's tokenizer.json) gives them on a small vocabulary.
    @Test func matchesTheReferenceTokenizerOnASmallVocabulary() throws {
        let cases = try TextFixtures.json("tokenizer-cases.json", as: TextFixtures.TokenizerCases.self).small_vocabulary
        let tokenizer = WordPieceTokenizer(vocabulary: try .load(path: TextFixtures.tinyBERT + "/vocab.txt"))
        #expect(cases.count == 11)
        for c in cases {
            let pieces = tokenizer.tokenize(c.text)
            #expect(pieces.map(\.text) == c.pieces, "\(c.text.debugDescription)")
            #expect(pieces.map(\.id) == c.ids, "\(c.text.debugDescription)")
            #expect(pieces.map(\.span) == c.byteRanges, "\(c.text.debugDescription)")
        }
    }

    @Test(.enabled(if: TextFixtures.miniLM != nil, "needs <models>/minilm-l6 (deft models fetch)"))
    func matchesTheReferenceTokenizerOnMiniLMsVocabulary() throws {
        let tokenizer = WordPieceTokenizer(vocabulary: try .load(path: TextFixtures.miniLM! + "/vocab.txt"))
        let cases = try TextFixtures.json("tokenizer-cases.json", as: TextFixtures.TokenizerCases.self).minilm_vocabulary
            + TextFixtures.json("minilm-cases.json", as: [TextFixtures.Case].self)
        for c in cases {
            let pieces = tokenizer.tokenize(c.text)
            #expect(pieces.map(\.text) == c.pieces, "\(c.text.prefix(60).debugDescription)")
            #expect(pieces.map(\.id) == c.ids)
            #expect(pieces.map(\.span) == c.byteRanges)
        }
    }

    @Test func spansPointIntoTheOriginalUTF8() throws {
        let tokenizer = WordPieceTokenizer(vocabulary: try .load(path: TextFixtures.tinyBERT + "/vocab.txt"))
        let text = "Ñandú, café!"
        let bytes = Array(text.utf8)
        let pieces = tokenizer.tokenize(text)
        #expect(pieces.map(\.text) == ["nan", "##du", ",", "cafe", "!"])
        #expect(pieces.map { String(decoding: bytes[$0.span], as: UTF8.self) } == ["Ñan", "dú", ",", "café", "!"])
    }

    /// Lookups compare code points, as the reference does: decomposed jamo do not match a precomposed
    /// syllable in the vocabulary although Swift's `==` calls them equal.
    @Test func vocabularyLookupIsByCodePointsNotCanonicalEquivalence() throws {
        let v = try WordPieceVocabulary(tokens: ["[UNK]", "[CLS]", "[SEP]", "\u{D55C}", "\u{1112}", "##\u{1161}"], path: "vocab.txt")
        #expect(v.id("\u{1112}\u{1161}\u{11AB}") == nil && v.id("\u{D55C}") == 3)
        let pieces = WordPieceTokenizer(vocabulary: v).tokenize("\u{D55C} \u{1112}\u{1161}")
        #expect(pieces.map(\.id) == [0, 4, 5])
        #expect(pieces.map(\.span) == [0..<3, 4..<7, 7..<10])
    }

    @Test func vocabularyLoaderRejectsBadFilesInOneLine() throws {
        func error(_ bytes: [UInt8]) -> DeFTError? {
            do { _ = try WordPieceVocabulary(data: Data(bytes), path: "vocab.txt"); return nil } catch let e as DeFTError { return e } catch { return nil }
        }
        #expect(error([]) == DeFTError("vocab.txt", "the vocabulary is empty"))
        #expect(error(Array("[UNK]\n[CLS]\nhello\n".utf8)) == DeFTError("vocab.txt", "the vocabulary has no [SEP] token"))
        #expect(error([0x5B, 0xFF, 0xFE, 0x0A]) == DeFTError("vocab.txt", "the vocabulary is not UTF-8 text"))
        let v = try WordPieceVocabulary(data: Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\n".utf8), path: "vocab.txt")
        #expect(v.count == 6 && v.id("##s") == 5 && v.unknown == 1 && v.classify == 2 && v.separator == 3)
        #expect(throws: DeFTError.self) { try WordPieceVocabulary.load(path: "/nonexistent/vocab.txt") }
    }
}
