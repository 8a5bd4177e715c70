import DeFT
import Foundation

/// Text into tokens that keep their surface form and UTF-8 byte offsets, so the viewer can draw the
/// original paragraph: words (letters and digits, with inner apostrophes and hyphens) and single
/// punctuation marks; whitespace separates and is not a token.
public enum TextTokenizer {
    public static func tokenize(_ text: String) -> TextDocument {
        var tokens: [TextToken] = []
        let scalars = Array(text.unicodeScalars)
        var offsets = [Int](repeating: 0, count: scalars.count + 1)
        for (i, s) in scalars.enumerated() { offsets[i + 1] = offsets[i] + String(s).utf8.count }
        func isWord(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s.properties.generalCategory == .nonspacingMark }
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s.properties.isWhitespace { i += 1; continue }
            var j = i + 1
            if isWord(s) {
                while j < scalars.count {
                    if isWord(scalars[j]) { j += 1; continue }
                    // "don't", "well-known": a joiner between two word characters stays inside the word.
                    if "'’-".unicodeScalars.contains(scalars[j]), j + 1 < scalars.count, isWord(scalars[j + 1]) { j += 2; continue }
                    break
                }
            }
            let surface = String(String.UnicodeScalarView(scalars[i..<j]))
            tokens.append(TextToken(surface: surface, byteStart: offsets[i], byteEnd: offsets[j]))
            i = j
        }
        return TextDocument(text: text, tokens: tokens)
    }

    /// The longest text deft scores. Scoring keeps a few d′-wide rows per token (z, its normalised copy,
    /// the scorer's layers: about 8 KB at d′ = 512), so 250 000 tokens peak near 2 GB and take about a
    /// minute of CPU with approximate neighbours; a 50 MB file (≈ 12 million tokens) would need ~100 GB.
    /// Longer texts are refused with this limit in the message, not streamed: the group signal needs
    /// every token's neighbours among all the others.
    public static let maxTokens = 250_000
    /// Files above this are refused before they are read (text runs 4–6 bytes a token).
    public static let maxBytes = 8 << 20

    /// Reads UTF-8 text, refusing other encodings, empty files and files over `maxBytes`. The text comes
    /// back terminal-safe (controls replaced one scalar for one).
    public static func loadText(path: String) throws -> String {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxBytes {
            throw DeFTError(path, String(format: "the text is %.1f MB; deft reads text files up to %d MB and %d tokens (split it)",
                                         Double(size) / 1_048_576, maxBytes >> 20, maxTokens))
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DeFTError(path, "not UTF-8 text")
        }
        guard text.contains(where: { !$0.isWhitespace }) else { throw DeFTError(path, "the text is empty") }
        return text.terminalSafeText
    }

    /// The token list `loadTokenList` reads back: a header line, then `surface<TAB>start<TAB>end` per token.
    public static func tokenList(_ document: TextDocument) -> String {
        "token\tstart\tend\n" + document.tokens.map { "\($0.surface)\t\($0.byteStart)\t\($0.byteEnd)\n" }.joined()
    }

    /// A model's token list (`token<TAB>start<TAB>end` with a header line; offsets are UTF-8 byte offsets
    /// into `text`, the one unit of text spans everywhere in deft — `deft encode` writes the same).
    public static func loadTokenList(path: String, text: String) throws -> TextDocument {
        guard let data = FileManager.default.contents(atPath: path), let tsv = String(data: data, encoding: .utf8) else {
            throw DeFTError(path, "cannot read the token list as UTF-8")
        }
        // Every offset must fall between two characters, never inside one's UTF-8 bytes.
        var boundaries = Set([0])
        var end = 0
        for s in text.unicodeScalars { end += UTF8.width(s); boundaries.insert(end) }
        var tokens: [TextToken] = []
        for (n, line) in tsv.split(whereSeparator: \.isNewline).enumerated() {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            if n == 0 && cols.first == "token" { continue }
            guard cols.count >= 3, let s = Int(cols[cols.count - 2]), let e = Int(cols[cols.count - 1]),
                  s >= 0, e >= s, e <= end, boundaries.contains(s), boundaries.contains(e) else {
                throw DeFTError(path, "line \(n + 1) is not token<TAB>start<TAB>end: UTF-8 byte offsets on character boundaries within the text (\(end) bytes)")
            }
            tokens.append(TextToken(surface: String(cols[0]).terminalSafe, byteStart: s, byteEnd: e))
        }
        guard !tokens.isEmpty else { throw DeFTError(path, "no tokens") }
        return TextDocument(text: text, tokens: tokens)
    }
}
