import DeFT
import Foundation

/// A BERT `vocab.txt`: one token per line, the line number is the id. Validated on load: UTF-8, the
/// three special tokens BERT needs ([UNK], [CLS], [SEP]) present, no empty vocabulary.
public struct WordPieceVocabulary: Sendable, Equatable {
    public let tokens: [String]
    /// Keyed by UTF-8 bytes, not `String`: Swift's string equality is canonical equivalence, which would
    /// match decomposed hangul jamo to a precomposed syllable the reference treats as a different token.
    let ids: [[UInt8]: Int]
    public let unknown: Int, classify: Int, separator: Int
    /// The longest entry in Unicode scalars: no longer candidate can match, so WordPiece never builds one.
    let longest: Int

    public var count: Int { tokens.count }

    public static func load(path: String) throws -> WordPieceVocabulary {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the vocabulary") }
        return try WordPieceVocabulary(data: data, path: path)
    }

    public init(data: Data, path: String) throws {
        guard let text = String(data: data, encoding: .utf8) else { throw DeFTError(path, "the vocabulary is not UTF-8 text") }
        // Only "\n" ends a line, as in the reference loader: a "\r" would be part of the token.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines, path: path)
    }

    public init(tokens: [String], path: String) throws {
        guard !tokens.isEmpty else { throw DeFTError(path, "the vocabulary is empty") }
        var ids: [[UInt8]: Int] = [:]
        ids.reserveCapacity(tokens.count)
        // A repeated token keeps its last line, as the reference's dictionary does.
        for (i, t) in tokens.enumerated() { ids[Array(t.utf8)] = i }
        func special(_ name: String) throws -> Int {
            guard let id = ids[Array(name.utf8)] else { throw DeFTError(path, "the vocabulary has no \(name) token") }
            return id
        }
        self.tokens = tokens
        self.ids = ids
        self.longest = tokens.reduce(0) { max($0, $1.unicodeScalars.count) }
        self.unknown = try special("[UNK]")
        self.classify = try special("[CLS]")
        self.separator = try special("[SEP]")
    }

    public func id(_ token: String) -> Int? { ids[Array(token.utf8)] }
    func id(utf8: [UInt8]) -> Int? { ids[utf8] }
}
