import Foundation

/// One wordpiece: its vocabulary entry and where it came from.
public struct WordPiece: Sendable, Equatable {
    public let id: Int
    /// The vocabulary entry ("##" marks a continuation, "[UNK]" a word the vocabulary cannot spell).
    public let text: String
    /// UTF-8 byte offsets into the ORIGINAL text (before lower-casing, accent stripping or cleaning), the
    /// unit `TextToken.byteStart/byteEnd` and the viewer's text canvas use. It covers the source scalars
    /// of the piece's characters: a combining mark the tokenizer dropped after a piece's last letter
    /// is outside it (as in Hugging Face's offsets, which count Unicode scalars instead).
    public let span: Range<Int>
}

/// BERT's uncased tokenizer: the basic tokenizer (clean, CJK split, lower-case, strip accents, split on
/// whitespace and punctuation), then greedy longest-match-first WordPiece with "##" continuations.
///
/// Its reference is Hugging Face's `BertTokenizerFast` (the `tokenizer.json` shipped with the model), which
/// lower-cases scalar by scalar — "Σ" at a word's end becomes "σ", not Python's final "ς". Special-token
/// spellings inside the text ("[CLS]") are ordinary text here, as with `split_special_tokens=True`: text
/// a user types never turns into control tokens.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    /// Longer words (in normalised scalars) become one [UNK], as in the reference.
    public static let maxWordLength = 100

    public init(vocabulary: WordPieceVocabulary) { self.vocabulary = vocabulary }

    /// A normalised scalar and the byte span of the original scalar it came from.
    struct Char { let scalar: Unicode.Scalar; let start: Int; let end: Int }

    public func tokenize(_ text: String) -> [WordPiece] {
        var pieces: [WordPiece] = []
        for word in Self.basicWords(text) { wordPieces(word, into: &pieces) }
        return pieces
    }

    /// The basic tokenizer: words of normalised scalars, each scalar with its source span.
    static func basicWords(_ text: String) -> [[Char]] {
        var words: [[Char]] = []
        var word: [Char] = []
        func flush() { if !word.isEmpty { words.append(word); word = [] } }
        var offset = 0
        for s in text.unicodeScalars {
            let start = offset
            offset += UTF8.width(s)
            if isDropped(s) { continue }
            if isWhitespace(s) { flush(); continue }
            let chinese = isChineseIdeograph(s)
            if chinese { flush() }
            for c in normalise(s) {
                let ch = Char(scalar: c, start: start, end: offset)
                if isPunctuation(c) { flush(); words.append([ch]) } else { word.append(ch) }
            }
            if chinese { flush() }
        }
        flush()
        return words
    }

    /// Greedy longest-match-first over the vocabulary; a word with an unmatched remainder is one [UNK].
    func wordPieces(_ word: [Char], into out: inout [WordPiece]) {
        let whole = word.first!.start..<word.last!.end
        guard word.count <= Self.maxWordLength else {
            out.append(WordPiece(id: vocabulary.unknown, text: "[UNK]", span: whole)); return
        }
        var found: [WordPiece] = []
        var start = 0
        while start < word.count {
            var end = min(word.count, start + vocabulary.longest)
            var match: Int? = nil
            var candidate: [UInt8] = []
            while end > start {
                candidate = start > 0 ? [0x23, 0x23] : []   // "##"
                for c in word[start..<end] { UTF8.encode(c.scalar) { candidate.append($0) } }
                if let id = vocabulary.id(utf8: candidate) { match = id; break }
                end -= 1
            }
            guard let id = match else {
                out.append(WordPiece(id: vocabulary.unknown, text: "[UNK]", span: whole)); return
            }
            let span = word[start..<end].map(\.start).min()!..<word[start..<end].map(\.end).max()!
            found.append(WordPiece(id: id, text: String(decoding: candidate, as: UTF8.self), span: span))
            start = end
        }
        out += found
    }

    // MARK: BERT's character classes

    /// NUL, U+FFFD and control/format/unassigned/private-use scalars (tab, newline and CR are whitespace).
    static func isDropped(_ s: Unicode.Scalar) -> Bool {
        if s.value == 0 || s.value == 0xFFFD { return true }
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || s.properties.generalCategory == .spaceSeparator
    }

    /// ASCII 33–47, 58–64, 91–96, 123–126 (symbols such as "$" and "^" too) and every Unicode P* scalar.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits into single characters (not kana or hangul).
    static func isChineseIdeograph(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }

    /// Lower-case (full mapping), canonical decomposition, then drop nonspacing marks: "É" → "e".
    static func normalise(_ s: Unicode.Scalar) -> [Unicode.Scalar] {
        if s.isASCII {
            let v = s.value
            return [(65...90).contains(v) ? Unicode.Scalar(v + 32)! : s]
        }
        let lower = s.properties.lowercaseMapping
        let decomposed = lower.decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }
}
