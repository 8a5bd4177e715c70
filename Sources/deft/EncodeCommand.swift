import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTMedia
import Foundation

extension EncoderName: ExpressibleByArgument {}
extension EncoderLayer: ExpressibleByArgument {}
extension ImageFit: ExpressibleByArgument {}

/// `deft encode`: an input's tokens from an encoder, written as float32 [N, d].
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode an image, frames, a video or a text into tokens (float32 [N, d], .npy or .safetensors).",
        discussion: """
        Images give their patch tokens in row-major grid order without the CLS token; video frames follow one \
        another. The .safetensors form holds one tensor, "tokens", and metadata: encoder, layer, modality, \
        frames, grid (HxW per frame) and, for text, the token spans (UTF-8 byte offsets). \
        dinov2-s14 needs `deft models fetch` once. Resampling is Pillow-style bicubic (a = -0.5, antialiased); \
        an image already at the resolution is not resampled.
        """
    )

    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file, a text file or a bundle folder.", valueName: "INPUT"))
    var input: String

    @Option(help: "dinov2-s14 or builtin (default: dinov2-s14 for images and video, builtin for text).")
    var encoder: EncoderName?

    @Option(help: "Hidden state of a real encoder: last (after the final norm) or penultimate (default for dinov2-s14).")
    var layer: EncoderLayer?

    @Option(help: ArgumentHelp("Input size for dinov2-s14, a multiple of 14 (default 336: 24×24 = 576 tokens).", valueName: "PX"))
    var resolution: Int?

    @Option(help: "Non-square images for dinov2-s14: pad (to a mean-colour square, default), crop (centre) or keep (aspect ratio).")
    var fit: ImageFit?

    @Option(help: "Frames to take from a video, evenly spaced (default 8).")
    var frames: Int?

    @Option(help: ArgumentHelp("Patch grid per frame for the builtin encoder.", valueName: "HxW"))
    var grid: GridSize?

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the tokens.", valueName: "PATH.npy|PATH.safetensors"))
    var out: String

    /// Tokens and what to record beside them.
    struct Encoded {
        var tokens: Matrix
        var metadata: [String: String]
    }

    func run() throws {
        guard out.hasSuffix(".npy") || out.hasSuffix(".safetensors") else {
            throw DeFTError("--out", "'\(out)' must end in .npy or .safetensors")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        // The built-in encoders run as part of loading; a real encoder re-encodes the decoded media.
        let sample = try SampleLoader.load(input, options: LoadOptions(grid: grid, frames: frames))
        let encoded: Encoded
        switch sample.media {
        case .image(let image)?: encoded = try visual([image], modality: .image, sample: sample)
        case .video(let frames)?: encoded = try visual(frames, modality: .video, sample: sample)
        case .text(let document)?: encoded = try text(document, sample: sample)
        case nil: throw DeFTError(input, "has no media to encode")
        }
        try write(encoded)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("\(out): \(encoded.tokens.rows)×\(encoded.tokens.cols) tokens, \(encoded.metadata["encoder"] ?? "?")"
              + (encoded.metadata["layer"].map { ", \($0) layer" } ?? "")
              + (encoded.metadata["grid"].map { ", grid \($0)" } ?? "")
              + (encoded.metadata["frames"].map { $0 == "1" ? "" : ", \($0) frames" } ?? "")
              + String(format: ", %.2f s", seconds))
    }

    func visual(_ images: [RGBImage], modality: Modality, sample: LoadedSample) throws -> Encoded {
        switch encoder ?? .dinov2S14 {
        case .dinov2S14:
            guard grid == nil else { throw DeFTError("--grid", "dinov2-s14's grid follows from --resolution and --fit") }
            // Options first, so a typo is reported before the model is loaded.
            let prep = try ImagePreprocessing(resolution: resolution ?? 336, fit: fit ?? .pad, patchSize: 14)
            let dino = try DINOv2Encoder.installed()
            let chosen = layer ?? .penultimate
            let out = try dino.encode(images.map { ($0.pixels, $0.width, $0.height) }, preprocessing: prep, layer: chosen, source: input)
            return Encoded(tokens: out.tokens, metadata: [
                "encoder": EncoderName.dinov2S14.rawValue, "layer": chosen.rawValue, "modality": modality.rawValue,
                "frames": "\(out.frames)", "grid": "\(out.gridHeight)x\(out.gridWidth)",
                "resolution": "\(prep.resolution)", "fit": prep.fit.rawValue,
            ])
        case .builtin:
            try rejectRealEncoderOptions()
            let layout = sample.tokenSet.layout
            return Encoded(tokens: sample.tokenSet.tokens, metadata: [
                "encoder": EncoderName.builtin.rawValue, "modality": modality.rawValue, "frames": "\(layout.frames)",
                "grid": "\(layout.height)x\(layout.width)", "origin": sample.tokenSet.featureOrigin,
            ])
        case .miniLML6:
            throw DeFTError("--encoder", "minilm-l6 encodes text, not \(modality.rawValue == "image" ? "images" : "video")")
        }
    }

    func text(_ document: TextDocument, sample: LoadedSample) throws -> Encoded {
        switch encoder ?? .builtin {
        case .builtin:
            try rejectRealEncoderOptions()
            let spans = document.tokens.map { "[\($0.byteStart),\($0.byteEnd)]" }.joined(separator: ",")
            return Encoded(tokens: sample.tokenSet.tokens, metadata: [
                "encoder": EncoderName.builtin.rawValue, "modality": Modality.text.rawValue, "frames": "1",
                "origin": sample.tokenSet.featureOrigin, "spans": "[\(spans)]", "span_unit": "utf8-bytes",
            ])
        case .dinov2S14:
            throw DeFTError("--encoder", "dinov2-s14 encodes images and video, not text")
        case .miniLML6:
            throw DeFTError("--encoder", "minilm-l6 is not available in `deft encode` in this build; use --encoder builtin")
        }
    }

    func rejectRealEncoderOptions() throws {
        if layer != nil { throw DeFTError("--layer", "applies to dinov2-s14, not the builtin encoder") }
        if resolution != nil { throw DeFTError("--resolution", "applies to dinov2-s14, not the builtin encoder") }
        if fit != nil { throw DeFTError("--fit", "applies to dinov2-s14, not the builtin encoder") }
    }

    func write(_ e: Encoded) throws {
        let tensor = Tensor(shape: [e.tokens.rows, e.tokens.cols], values: e.tokens.storage)
        if out.hasSuffix(".npy") {
            try Npy.write(tensor, to: out)
        } else {
            try SafetensorsFile.write([("tokens", tensor)], metadata: e.metadata.merging(["source": input]) { a, _ in a }, to: out)
        }
    }
}
