import DeFT

/// Patch tokens of one image or of the frames of a video, in row-major grid order without the CLS token.
public struct EncodedImages: Sendable {
    /// [frames · gridHeight · gridWidth, D], frame after frame.
    public var tokens: Matrix
    public var frames: Int
    public var gridHeight: Int
    public var gridWidth: Int
}

/// The DINOv2 ViT forward on OpenBLAS, batched over frames: patch embedding (the stride-p convolution
/// as one GEMM over all patches), CLS token, position embeddings resized bicubically to the grid exactly
/// as the exported ONNX graph does, pre-norm blocks with LayerScale and exact GELU, final LayerNorm.
public struct DINOv2Encoder: Sendable {
    public let weights: DINOv2Weights
    /// Frames per forward pass: enough to fill the GEMMs, few enough that the MLP activations of a long
    /// video stay small (8 × 577 × 1536 floats ≈ 28 MB at 336 px).
    public var framesPerBatch = 8

    public init(weights: DINOv2Weights) { self.weights = weights }

    /// Loads the converted backbone (`<cache>/dinov2-s14/model.safetensors` or a fixture in the same naming).
    public init(contentsOf path: String) throws {
        self.init(weights: try DINOv2Weights(file: try SafetensorsFile.load(path: path)))
    }

    /// The model installed in the cache, or the one-line error saying how to install it.
    public static func installed(in store: ModelStore = .standard()) throws -> DINOv2Encoder {
        _ = try store.require(.dinov2S14)
        return try DINOv2Encoder(contentsOf: store.path(.dinov2S14, "model.safetensors"))
    }

    /// Preprocesses and encodes images of one size (a photo, or the frames of one video).
    public func encode(_ images: [(rgb: [UInt8], width: Int, height: Int)], preprocessing: ImagePreprocessing,
                       layer: EncoderLayer, source: String) throws -> EncodedImages {
        guard let first = images.first else { throw DeFTError(source, "no image to encode") }
        guard preprocessing.patchSize == weights.patchSize else {
            throw DeFTError(source, "preprocessing uses patch size \(preprocessing.patchSize), the model \(weights.patchSize)")
        }
        guard images.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw DeFTError(source, "the frames differ in size")
        }
        var tokens: [Float] = []
        var grid = (0, 0)
        var start = 0
        while start < images.count {
            let chunk = images[start..<min(start + max(framesPerBatch, 1), images.count)]
            var pixels: [Float] = []
            var size = (0, 0)
            for image in chunk {
                let p = try preprocessing.pixels(rgb: image.rgb, width: image.width, height: image.height, source: source)
                pixels += p.values
                size = (p.height, p.width)
            }
            let out = forward(pixels: pixels, batch: chunk.count, height: size.0, width: size.1, layer: layer)
            tokens += out.storage
            grid = (size.0 / weights.patchSize, size.1 / weights.patchSize)
            start += chunk.count
        }
        return EncodedImages(tokens: Matrix(rows: tokens.count / weights.width, cols: weights.width, storage: tokens),
                             frames: images.count, gridHeight: grid.0, gridWidth: grid.1)
    }

    /// Patch tokens [batch · (H/p) · (W/p), D] of `batch` images given as normalised planar pixels
    /// [batch, 3, H, W]; H and W must be multiples of the patch size.
    public func forward(pixels: [Float], batch: Int, height: Int, width: Int, layer: EncoderLayer) -> Matrix {
        forwardWithAttention(pixels: pixels, batch: batch, height: height, width: width, layer: layer, clsAttention: false).tokens
    }

    /// The same forward, and with `clsAttention` the last block's attention from the CLS token to each
    /// patch ([batch · patches], the mean over heads of the softmax row, CLS's own share left out): the
    /// encoder's own importance, which FastV/VisionZip-style methods rank tokens by. It is read off the
    /// last block's input whichever layer's tokens are returned; only the CLS row is computed.
    public func forwardWithAttention(pixels: [Float], batch: Int, height: Int, width: Int, layer: EncoderLayer,
                                     clsAttention: Bool) -> (tokens: Matrix, clsAttention: [Float]?) {
        let p = weights.patchSize, d = weights.width
        precondition(height % p == 0 && width % p == 0 && pixels.count == batch * 3 * height * width,
                     "pixels do not match \(batch)×3×\(height)×\(width) in whole patches")
        let gh = height / p, gw = width / p, patches = gh * gw, tokens = patches + 1
        let embedded = weights.patchProjection.forward(patchRows(pixels, batch: batch, height: height, width: width))
        let positions = positionEmbeddings(gridHeight: gh, gridWidth: gw)

        var x = Matrix(rows: batch * tokens, cols: d)
        x.storage.withUnsafeMutableBufferPointer { xs in
            embedded.storage.withUnsafeBufferPointer { es in
                positions.withUnsafeBufferPointer { ps in
                    for b in 0..<batch {
                        let cls = xs.baseAddress! + b * tokens * d
                        for j in 0..<d { cls[j] = weights.clsToken[j] + weights.clsPosition[j] }
                        for i in 0..<patches {
                            let o = cls + (1 + i) * d, e = es.baseAddress! + (b * patches + i) * d, q = ps.baseAddress! + i * d
                            for j in 0..<d { o[j] = e[j] + q[j] }
                        }
                    }
                }
            }
        }
        let last = weights.blocks.count - 1
        var attention: [Float]? = nil
        for (i, block) in weights.blocks.enumerated() {
            if i == last {
                if clsAttention { attention = self.clsAttention(block, x, batch: batch, tokens: tokens) }
                if layer == .penultimate { break }
            }
            apply(block, to: &x, batch: batch, tokens: tokens)
        }
        if layer == .last {
            x = TransformerMath.layerNorm(x, weight: weights.finalNorm.weight, bias: weights.finalNorm.bias, eps: weights.layerNormEps)
        }
        var out = Matrix(rows: batch * patches, cols: d)
        x.storage.withUnsafeBufferPointer { xs in
            out.storage.withUnsafeMutableBufferPointer { os in
                for b in 0..<batch {
                    (os.baseAddress! + b * patches * d).update(from: xs.baseAddress! + (b * tokens + 1) * d, count: patches * d)
                }
            }
        }
        return (out, attention)
    }

    /// softmax(q_CLS · K^T / √hd) of `block` on its input x, per head, averaged over heads; the patches' part.
    func clsAttention(_ block: DINOv2Weights.Block, _ x: Matrix, batch: Int, tokens: Int) -> [Float] {
        let d = weights.width, heads = weights.heads, hd = d / heads, patches = tokens - 1
        let qkv = block.qkv.forward(TransformerMath.layerNorm(x, weight: block.norm1.weight, bias: block.norm1.bias, eps: weights.layerNormEps))
        var out = [Float](repeating: 0, count: batch * patches)
        var row = [Float](repeating: 0, count: tokens)
        let scale = 1 / Float(hd).squareRoot()
        for b in 0..<batch {
            let base = b * tokens * 3 * d
            for h in 0..<heads {
                for j in 0..<tokens {
                    var dot: Float = 0
                    for c in 0..<hd { dot += qkv.storage[base + h * hd + c] * qkv.storage[base + j * 3 * d + d + h * hd + c] }
                    row[j] = dot * scale
                }
                row.withUnsafeMutableBufferPointer { TransformerMath.softmaxRows($0.baseAddress!, rows: 1, cols: tokens, ld: tokens) }
                for j in 0..<patches { out[b * patches + j] += row[1 + j] / Float(heads) }
            }
        }
        return out
    }

    /// The position embeddings of a gh × gw grid, [gh·gw, D]: the stored grid itself when it matches,
    /// else its ONNX-cubic resize (the graph resizes even an equal grid, but cubic at integer positions
    /// is the identity).
    public func positionEmbeddings(gridHeight gh: Int, gridWidth gw: Int) -> [Float] {
        let s = weights.positionSide
        if gh == s && gw == s { return weights.positionGrid }
        return CubicInterpolation.resize(weights.positionGrid, height: s, width: s, channels: weights.width,
                                         rowTaps: CubicInterpolation.onnxCubicTaps(from: s, to: gh),
                                         columnTaps: CubicInterpolation.onnxCubicTaps(from: s, to: gw))
    }

    /// im2col for a stride-p, p×p convolution: one row per patch (image-major, then row-major grid),
    /// columns in the kernel's (channel, row, column) order.
    func patchRows(_ pixels: [Float], batch: Int, height: Int, width: Int) -> Matrix {
        let p = weights.patchSize, gh = height / p, gw = width / p, k = 3 * p * p
        var rows = Matrix(rows: batch * gh * gw, cols: k)
        pixels.withUnsafeBufferPointer { src in
            rows.storage.withUnsafeMutableBufferPointer { dst in
                for b in 0..<batch {
                    for gy in 0..<gh {
                        for gx in 0..<gw {
                            var o = dst.baseAddress! + ((b * gh + gy) * gw + gx) * k
                            for c in 0..<3 {
                                for ky in 0..<p {
                                    let s = src.baseAddress! + ((b * 3 + c) * height + gy * p + ky) * width + gx * p
                                    o.update(from: s, count: p)
                                    o += p
                                }
                            }
                        }
                    }
                }
            }
        }
        return rows
    }

    /// One pre-norm block in place: x += γ₁ ⊙ Attn(LN₁(x)); x += γ₂ ⊙ MLP(LN₂(x)), each γ folded into the
    /// layer before it and the residual added by the GEMM itself.
    func apply(_ block: DINOv2Weights.Block, to x: inout Matrix, batch: Int, tokens: Int) {
        let d = weights.width, heads = weights.heads, hd = d / heads, eps = weights.layerNormEps
        let qkv = block.qkv.forward(TransformerMath.layerNorm(x, weight: block.norm1.weight, bias: block.norm1.bias, eps: eps))
        var context = Matrix(rows: x.rows, cols: d) { _ in }   // every element written by attention's GEMMs
        qkv.storage.withUnsafeBufferPointer { qs in
            context.storage.withUnsafeMutableBufferPointer { cs in
                TransformerMath.attention(qs.baseAddress!, lengths: Array(repeating: tokens, count: batch), heads: heads,
                                          headSize: hd, scale: 1 / Float(hd).squareRoot(), into: cs.baseAddress!)
            }
        }
        block.output.accumulate(context, into: &x)
        var hidden = block.fc1.forward(TransformerMath.layerNorm(x, weight: block.norm2.weight, bias: block.norm2.bias, eps: eps))
        TransformerMath.gelu(&hidden)
        block.fc2.accumulate(hidden, into: &x)
    }
}
