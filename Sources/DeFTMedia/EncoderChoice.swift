import DeFT
import DeFTEncoders
import Foundation

/// Which encoder turns decoded media into tokens, with its settings. `name` nil means the real
/// encoder of the input's modality (DINOv2-S/14 for images and frames, all-MiniLM-L6-v2 for text):
/// the command-line default, so one command gives the same tokens on every machine.
public struct EncoderChoice: Sendable, Equatable {
    public var name: EncoderName?
    /// nil: the encoder's own default (penultimate for DINOv2, as LLaVA feeds its projector; last for
    /// MiniLM, what sentence-transformers pools).
    public var layer: EncoderLayer?
    /// DINOv2's input side in pixels: 336 gives 24×24 = 576 tokens, LLaVA-1.5's count.
    public var resolution = 336
    public var fit = ImageFit.pad

    public init(name: EncoderName? = nil, layer: EncoderLayer? = nil, resolution: Int = 336, fit: ImageFit = .pad) {
        self.name = name; self.layer = layer; self.resolution = resolution; self.fit = fit
    }

    /// The weight-free encoders: raw-pixel patches, hashed character n-grams.
    public static let builtin = EncoderChoice(name: .builtin)

    /// The encoder for `modality`, or a one-line error when the chosen one cannot read it.
    public func resolved(for modality: Modality, source: String) throws -> EncoderName {
        let real: EncoderName = modality == .text ? .miniLML6 : .dinov2S14
        let chosen = name ?? real
        guard chosen == .builtin || chosen == real else {
            throw DeFTError("--encoder", "\(chosen.rawValue) does not encode \(modality.rawValue) (\(source)); use \(real.rawValue) or builtin")
        }
        return chosen
    }

    /// What the status line and reports say produced the tokens.
    func origin(_ encoder: EncoderName, layer: EncoderLayer) -> String {
        switch encoder {
        case .dinov2S14: return "\(encoder.displayName), \(layer.rawValue) layer, \(resolution) px \(fit.rawValue)"
        case .miniLML6: return "\(encoder.displayName), \(layer.rawValue) layer"
        case .builtin: return encoder.displayName
        }
    }
}

/// The real encoders, loaded from the model cache once per process (≈ 90 MB each) and shared.
enum LoadedEncoders {
    nonisolated(unsafe) private static var dinov2: DINOv2Encoder?
    nonisolated(unsafe) private static var miniLM: TextEncoder?
    private static let lock = NSLock()

    static func dinov2S14() throws -> DINOv2Encoder {
        try lock.withLock {
            if let dinov2 { return dinov2 }
            let e = try DINOv2Encoder.installed(in: .standard())
            dinov2 = e
            return e
        }
    }

    static func miniLML6() throws -> TextEncoder {
        try lock.withLock {
            if let miniLM { return miniLM }
            let store = ModelStore.standard()
            let e = try TextEncoder(directory: try store.require(.miniLML6))
            miniLM = e
            return e
        }
    }
}

extension EncoderChoice {
    /// Frames (or one image) through DINOv2: the tokens, their grid, and the frames as the encoder
    /// framed them (padded or cropped to its square) so the drawn patches sit where the tokens came from.
    /// `progress` hears (frames encoded, frames) after each of the encoder's batches.
    func dinov2(_ frames: [RGBImage], source: String,
                progress: ((Int, Int) -> Void)? = nil) throws -> (tokens: Matrix, grid: GridSize, framed: [RGBImage], origin: String) {
        let encoder = try LoadedEncoders.dinov2S14()
        let pre = try ImagePreprocessing(resolution: resolution, fit: fit)
        let framed = frames.map { $0.framed(pre) }
        let layer = self.layer ?? .penultimate
        // The encoder's own batches, one call each, so a long video's encoding can be followed.
        let step = max(encoder.framesPerBatch, 1)
        var storage: [Float] = [], grid = GridSize(height: 0, width: 0), width = 0
        for start in stride(from: 0, to: framed.count, by: step) {
            let chunk = framed[start..<min(start + step, framed.count)]
            let out = try encoder.encode(chunk.map { ($0.pixels, $0.width, $0.height) }, preprocessing: pre, layer: layer, source: source)
            storage += out.tokens.storage
            grid = GridSize(height: out.gridHeight, width: out.gridWidth); width = out.tokens.cols
            progress?(start + chunk.count, framed.count)
        }
        guard width > 0 else { throw DeFTError(source, "no image to encode") }
        return (Matrix(rows: storage.count / width, cols: width, storage: storage), grid, framed, origin(.dinov2S14, layer: layer))
    }

    /// A text through MiniLM: the tokens and the wordpieces as a document whose spans point into the text.
    /// `progress` hears (windows encoded, windows) as the long text's windows go through.
    func miniLM(_ text: String, progress: ((Int, Int) -> Void)? = nil) throws -> (tokens: Matrix, document: TextDocument, origin: String) {
        let encoder = try LoadedEncoders.miniLML6()
        let layer = self.layer ?? .last
        let out = encoder.encode(text, layer: layer, progress: progress)
        let utf8 = Array(text.utf8)
        let tokens = out.spans.map { span in
            TextToken(surface: String(decoding: utf8[span], as: UTF8.self), byteStart: span.lowerBound, byteEnd: span.upperBound)
        }
        return (out.tokens, TextDocument(text: text, tokens: tokens), origin(.miniLML6, layer: layer))
    }
}

extension RGBImage {
    /// The image padded or cropped to the square the encoder takes (as it is for `keep`).
    func framed(_ pre: ImagePreprocessing) -> RGBImage {
        let (rgb, w, h) = pre.framedForFit(pixels, width: width, height: height)
        return RGBImage(width: w, height: h, pixels: rgb)
    }
}
