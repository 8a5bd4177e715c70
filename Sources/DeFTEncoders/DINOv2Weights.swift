import DeFT

/// The parameters of a DINOv2 backbone, read from a safetensors file in Hugging Face `Dinov2Model`
/// naming (`embeddings.*`, `encoder.layer.{i}.*`, `layernorm.*`; linear weights [out, in]). The file's
/// metadata carries what the tensors cannot: `num_attention_heads`, `layer_norm_eps`.
public struct DINOv2Weights: Sendable {
    public struct Block: Sendable {
        public var norm1: (weight: [Float], bias: [Float])
        /// Query, key and value stacked into one [3·D, D] layer: one GEMM for all three.
        public var qkv: Linear
        /// The attention's output projection with LayerScale γ₁ folded in (`Linear.scaled(by:)`).
        public var output: Linear
        public var norm2: (weight: [Float], bias: [Float])
        public var fc1: Linear
        /// The MLP's second layer with LayerScale γ₂ folded in.
        public var fc2: Linear
    }

    public var width: Int
    public var heads: Int
    public var patchSize: Int
    public var layerNormEps: Float
    /// The patch projection as a [D, 3·p·p] matrix (the convolution kernel flattened channel, row, column).
    public var patchProjection: Linear
    public var clsToken: [Float]
    public var clsPosition: [Float]
    /// Position embeddings of the stored grid, row-major [side·side, D].
    public var positionGrid: [Float]
    public var positionSide: Int
    public var blocks: [Block]
    public var finalNorm: (weight: [Float], bias: [Float])

    public init(file: SafetensorsFile) throws {
        let path = file.path
        func tensor(_ name: String, _ shape: [Int]? = nil) throws -> Tensor {
            let t = try file.floats(name)
            if let shape, t.shape != shape {
                throw DeFTError(path, "tensor '\(name)' has shape \(t.shape), expected \(shape) — run `deft models fetch` to rebuild the cache")
            }
            return t
        }
        func linear(_ prefix: String, out: Int, in inputs: Int) throws -> Linear {
            let w = try tensor(prefix + ".weight", [out, inputs]), b = try tensor(prefix + ".bias", [out])
            return Linear(weight: Matrix(rows: out, cols: inputs, storage: w.values), bias: b.values)
        }
        func norm(_ prefix: String, _ d: Int) throws -> ([Float], [Float]) {
            (try tensor(prefix + ".weight", [d]).values, try tensor(prefix + ".bias", [d]).values)
        }
        let cls = try tensor("embeddings.cls_token")
        guard cls.shape.count == 3, cls.shape[0] == 1, cls.shape[1] == 1, cls.shape[2] > 0 else {
            throw DeFTError(path, "embeddings.cls_token has shape \(cls.shape), expected [1, 1, D]")
        }
        let d = cls.shape[2]
        guard let heads = file.metadata["num_attention_heads"].flatMap(Int.init), heads > 0, d % heads == 0 else {
            throw DeFTError(path, "metadata num_attention_heads is missing or does not divide the width \(d)")
        }
        let eps = file.metadata["layer_norm_eps"].flatMap(Float.init) ?? 1e-6
        let proj = try tensor("embeddings.patch_embeddings.projection.weight")
        guard proj.shape.count == 4, proj.shape[0] == d, proj.shape[1] == 3, proj.shape[2] == proj.shape[3], proj.shape[2] > 0 else {
            throw DeFTError(path, "the patch projection has shape \(proj.shape), expected [\(d), 3, p, p]")
        }
        let p = proj.shape[2]
        let projBias = try tensor("embeddings.patch_embeddings.projection.bias", [d])
        let pos = try tensor("embeddings.position_embeddings")
        let gridCount = (pos.shape.count == 3 ? pos.shape[1] : 0) - 1
        let side = Int(Double(max(gridCount, 0)).squareRoot().rounded())
        guard pos.shape.count == 3, pos.shape[0] == 1, pos.shape[2] == d, side > 0, side * side == gridCount else {
            throw DeFTError(path, "embeddings.position_embeddings has shape \(pos.shape), expected [1, 1 + s², \(d)]")
        }
        var blocks: [Block] = []
        while file.contains("encoder.layer.\(blocks.count).norm1.weight") {
            let pre = "encoder.layer.\(blocks.count)"
            let q = try linear(pre + ".attention.attention.query", out: d, in: d)
            let k = try linear(pre + ".attention.attention.key", out: d, in: d)
            let v = try linear(pre + ".attention.attention.value", out: d, in: d)
            let hidden = try tensor(pre + ".mlp.fc1.bias").values.count
            blocks.append(Block(
                norm1: try norm(pre + ".norm1", d),
                qkv: Linear(weight: Matrix(rows: 3 * d, cols: d, storage: q.weight.storage + k.weight.storage + v.weight.storage),
                            bias: q.bias + k.bias + v.bias),
                output: try linear(pre + ".attention.output.dense", out: d, in: d)
                    .scaled(by: try tensor(pre + ".layer_scale1.lambda1", [d]).values),
                norm2: try norm(pre + ".norm2", d),
                fc1: try linear(pre + ".mlp.fc1", out: hidden, in: d),
                fc2: try linear(pre + ".mlp.fc2", out: d, in: hidden)
                    .scaled(by: try tensor(pre + ".layer_scale2.lambda1", [d]).values)))
        }
        guard blocks.count >= 2 else { throw DeFTError(path, "found \(blocks.count) encoder layers, need at least 2") }
        width = d
        self.heads = heads
        patchSize = p
        layerNormEps = eps
        patchProjection = Linear(weight: Matrix(rows: d, cols: 3 * p * p, storage: proj.values), bias: projBias.values)
        clsToken = cls.values
        clsPosition = Array(pos.values[0..<d])
        positionGrid = Array(pos.values[d...])
        positionSide = side
        self.blocks = blocks
        finalNorm = try norm("layernorm", d)
    }
}
