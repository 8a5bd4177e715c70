import DeFT
import Foundation

/// A BERT encoder (Hugging Face `BertModel` without the pooler) on OpenBLAS: embeddings + LayerNorm,
/// then post-norm layers of multi-head self-attention and an exact-GELU MLP.
///
/// Several sequences run as one batch without padding: their rows are stacked for every dense layer
/// (one GEMM per weight for the whole batch) and attention runs per sequence on its own rows, so no
/// attention mask is needed.
public struct BertModel: Sendable {
    public let config: BertConfig
    let wordEmbeddings: Matrix       // [vocab, d]
    let positionEmbeddings: Matrix   // [positions, d]
    let tokenType0: [Float]          // every input is segment 0
    let embeddingNorm: Norm
    let layers: [Layer]

    struct Norm: Sendable { let weight: [Float], bias: [Float] }

    struct Layer: Sendable {
        let qkv: Linear              // query, key and value stacked: [3d, d], one GEMM
        let attentionOutput: Linear
        let attentionNorm: Norm
        let intermediate: Linear
        let output: Linear
        let outputNorm: Norm
    }

    /// Reads the weights named as `BertModel.state_dict()` (an optional "bert." prefix is accepted), every
    /// shape checked against `config` before a matrix is built; other tensors (`position_ids`, a pooler)
    /// are ignored.
    public init(config: BertConfig, weights file: SafetensorsFile) throws {
        self.config = config
        let prefix = file.contains("embeddings.word_embeddings.weight") ? "" : "bert."
        let d = config.hiddenSize
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            let key = prefix + name
            guard let e = file.entries[key] else { throw DeFTError(file.path, "no tensor '\(key)'") }
            guard e.shape == shape else {
                throw DeFTError(file.path, "tensor '\(key)' has shape \(e.shape), config.json implies \(shape)")
            }
            return try file.floats(key).values
        }
        func linear(_ name: String, out: Int, in inputs: Int) throws -> Linear {
            Linear(weight: Matrix(rows: out, cols: inputs, storage: try tensor(name + ".weight", [out, inputs])),
                   bias: try tensor(name + ".bias", [out]))
        }
        func norm(_ name: String) throws -> Norm {
            Norm(weight: try tensor(name + ".weight", [d]), bias: try tensor(name + ".bias", [d]))
        }
        wordEmbeddings = Matrix(rows: config.vocabularySize, cols: d,
                                storage: try tensor("embeddings.word_embeddings.weight", [config.vocabularySize, d]))
        positionEmbeddings = Matrix(rows: config.maxPositions, cols: d,
                                    storage: try tensor("embeddings.position_embeddings.weight", [config.maxPositions, d]))
        tokenType0 = Array(try tensor("embeddings.token_type_embeddings.weight", [config.typeVocabularySize, d])[0..<d])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<config.layers).map { i in
            let p = "encoder.layer.\(i)."
            let q = try linear(p + "attention.self.query", out: d, in: d)
            let k = try linear(p + "attention.self.key", out: d, in: d)
            let v = try linear(p + "attention.self.value", out: d, in: d)
            return Layer(
                qkv: Linear(weight: Matrix(rows: 3 * d, cols: d, storage: q.weight.storage + k.weight.storage + v.weight.storage),
                            bias: q.bias + k.bias + v.bias),
                attentionOutput: try linear(p + "attention.output.dense", out: d, in: d),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: try linear(p + "intermediate.dense", out: config.intermediateSize, in: d),
                output: try linear(p + "output.dense", out: d, in: config.intermediateSize),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
    }

    /// The hidden state after `depth` layers (0 = the embeddings) for each sequence of token ids, stacked:
    /// sequence k's rows follow sequence k−1's. Ids must be < the vocabulary size and every sequence at
    /// most `maxPositions` long (the caller windows longer text).
    public func hiddenStates(_ sequences: [[Int]], depth: Int) -> Matrix {
        precondition((0...config.layers).contains(depth), "depth \(depth) outside 0…\(config.layers)")
        precondition(sequences.allSatisfy { $0.count <= config.maxPositions }, "a sequence is longer than the positions")
        var x = embed(sequences)
        for layer in layers.prefix(depth) { x = forward(layer, x, lengths: sequences.map(\.count)) }
        return x
    }

    func embed(_ sequences: [[Int]]) -> Matrix {
        let d = config.hiddenSize
        var x = Matrix(rows: sequences.reduce(0) { $0 + $1.count }, cols: d)
        var r = 0
        for ids in sequences {
            for (p, id) in ids.enumerated() {
                precondition(id >= 0 && id < config.vocabularySize, "token id \(id) outside the vocabulary")
                for j in 0..<d { x.storage[r * d + j] = wordEmbeddings.storage[id * d + j] + positionEmbeddings.storage[p * d + j] + tokenType0[j] }
                r += 1
            }
        }
        return TransformerMath.layerNorm(x, weight: embeddingNorm.weight, bias: embeddingNorm.bias, eps: config.layerNormEps)
    }

    func forward(_ layer: Layer, _ x: Matrix, lengths: [Int]) -> Matrix {
        // Post-norm (BERT): each sub-layer's output plus its input, then LayerNorm.
        var sum = x
        layer.attentionOutput.accumulate(attend(layer.qkv.forward(x), lengths: lengths), into: &sum)
        let attention = TransformerMath.layerNorm(sum, weight: layer.attentionNorm.weight, bias: layer.attentionNorm.bias,
                                                  eps: config.layerNormEps)
        var hidden = layer.intermediate.forward(attention)
        TransformerMath.gelu(&hidden)
        var out = attention
        layer.output.accumulate(hidden, into: &out)
        return TransformerMath.layerNorm(out, weight: layer.outputNorm.weight, bias: layer.outputNorm.bias, eps: config.layerNormEps)
    }

    /// softmax(Q·Kᵀ/√h)·V per head and per sequence (`TransformerMath.attention`).
    func attend(_ qkv: Matrix, lengths: [Int]) -> Matrix {
        var context = Matrix(rows: qkv.rows, cols: config.hiddenSize) { _ in }   // every element written by attention's GEMMs
        qkv.storage.withUnsafeBufferPointer { qp in
            context.storage.withUnsafeMutableBufferPointer { cp in
                TransformerMath.attention(qp.baseAddress!, lengths: lengths, heads: config.heads, headSize: config.headSize,
                                          scale: 1 / Float(config.headSize).squareRoot(), into: cp.baseAddress!)
            }
        }
        return context
    }

    /// The (m, n, k) of every dense-layer GEMM one forward of these sequence lengths runs to `depth`
    /// (attention's GEMMs are per head, inside `TransformerMath.attention`): the bench times sgemm alone on
    /// exactly these shapes.
    public func denseGemmShapes(lengths: [Int], depth: Int) -> [(m: Int, n: Int, k: Int)] {
        let d = config.hiddenSize, rows = lengths.reduce(0, +)
        return (0..<depth).flatMap { _ in [(rows, 3 * d, d), (rows, d, d), (rows, config.intermediateSize, d), (rows, d, config.intermediateSize)] }
    }

    /// FLOPs of attention's two GEMMs per head and sequence, to `depth`.
    public func attentionFlops(lengths: [Int], depth: Int) -> Double {
        Double(depth * config.heads) * lengths.reduce(0.0) { $0 + 4 * Double($1) * Double($1) * Double(config.headSize) }
    }
}
