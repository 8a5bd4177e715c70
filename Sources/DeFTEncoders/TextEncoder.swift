import DeFT
import Foundation

/// A text as encoder tokens: one row per wordpiece, [CLS] and [SEP] left out.
public struct EncodedText: Sendable, Equatable {
    /// [pieces, hidden size] float32 hidden states.
    public var tokens: Matrix
    /// The vocabulary entries ("##" continuations, "[UNK]").
    public var pieces: [String]
    /// Each piece's UTF-8 byte range in the original text (see `WordPiece.span`).
    public var spans: [Range<Int>]
}

/// all-MiniLM-L6-v2 (or any BERT with an uncased WordPiece vocabulary): text → wordpieces → hidden states.
///
/// Reads a model directory holding `vocab.txt`, `config.json` and `model.safetensors` (the layout of
/// `<models>/minilm-l6/`). Each window is [CLS] + up to `windowLength − 2` wordpieces + [SEP], segment 0,
/// positions from 0; longer text is cut into half-overlapping windows (`TextWindows`), run 8 to a batch.
public struct TextEncoder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let model: BertModel
    /// The model's window including [CLS] and [SEP]: 256 for all-MiniLM-L6-v2 (`max_seq_length` in its
    /// sentence-transformers config, which the cache does not carry), fewer if the model has fewer positions.
    public let windowLength: Int
    public static let maxSequenceLength = 256

    public init(directory: String) throws {
        let dir = URL(fileURLWithPath: directory)
        let config = try BertConfig.load(path: dir.appendingPathComponent("config.json").path)
        let vocabPath = dir.appendingPathComponent("vocab.txt").path
        let vocabulary = try WordPieceVocabulary.load(path: vocabPath)
        guard vocabulary.count == config.vocabularySize else {
            throw DeFTError(vocabPath, "\(vocabulary.count) tokens, but config.json says vocab_size \(config.vocabularySize)")
        }
        let weights = try SafetensorsFile.load(path: dir.appendingPathComponent("model.safetensors").path)
        try self.init(tokenizer: WordPieceTokenizer(vocabulary: vocabulary), model: BertModel(config: config, weights: weights))
    }

    public init(tokenizer: WordPieceTokenizer, model: BertModel) throws {
        guard tokenizer.vocabulary.count <= model.config.vocabularySize else {
            throw DeFTError("vocab.txt", "\(tokenizer.vocabulary.count) tokens, more than the model's \(model.config.vocabularySize) embeddings")
        }
        self.tokenizer = tokenizer
        self.model = model
        windowLength = min(Self.maxSequenceLength, model.config.maxPositions)
    }

    public var hiddenSize: Int { model.config.hiddenSize }

    public func encode(_ text: String, layer: EncoderLayer = .last, progress: ((Int, Int) -> Void)? = nil) -> EncodedText {
        let pieces = tokenizer.tokenize(text)
        return EncodedText(tokens: hiddenStates(pieces.map(\.id), layer: layer, progress: progress), pieces: pieces.map(\.text),
                           spans: pieces.map(\.span))
    }

    /// The hidden states of content ids (no [CLS]/[SEP]), windowed as `TextWindows` says; `progress`
    /// hears (windows done, windows) after each batch of windows.
    public func hiddenStates(_ ids: [Int], layer: EncoderLayer, progress: ((Int, Int) -> Void)? = nil) -> Matrix {
        let d = hiddenSize
        guard !ids.isEmpty else { return Matrix(rows: 0, cols: d) }
        let plan = TextWindows(count: ids.count, width: windowLength - 2)
        let v = tokenizer.vocabulary
        let depth = layer == .last ? model.config.layers : model.config.layers - 1
        var out = Matrix(rows: ids.count, cols: d)
        // Windows run in batches of a few, so a book-length text needs no more memory than a page.
        for batch in stride(from: 0, to: plan.windows.count, by: Self.windowsPerBatch) {
            let group = batch..<min(batch + Self.windowsPerBatch, plan.windows.count)
            let sequences = group.map { [v.classify] + ids[plan.windows[$0]] + [v.separator] }
            let states = model.hiddenStates(sequences, depth: depth)
            var firstRow = 1   // window k's first content piece, after its [CLS]
            for (k, s) in zip(group, sequences) {
                let w = plan.windows[k]
                for i in w where plan.owner[i] == k {
                    let src = (firstRow + i - w.lowerBound) * d
                    out.storage.replaceSubrange(i * d..<(i + 1) * d, with: states.storage[src..<(src + d)])
                }
                firstRow += s.count
            }
            progress?(group.upperBound, plan.windows.count)
        }
        return out
    }

    /// 8 windows of 256 are 2048 rows: large GEMMs, and 12 MB for the widest activation.
    static let windowsPerBatch = 8
}
