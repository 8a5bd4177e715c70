import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTMedia
import Foundation


/// `deft encode`: an input's tokens from an encoder, written as float32 [N, d].
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode an image, frames, a video or a text into tokens (float32 [N, d], .npy or .safetensors).",
        discussion: """
        Images give their patch tokens in row-major grid order without the CLS token; video frames follow one \
        another. The .safetensors form holds one tensor, "tokens", and metadata: modality, \
        frames, grid (HxW per frame), origin (the encoder and its settings) and, for text, the token spans \
        (UTF-8 byte offsets). The real encoders need `deft models fetch` once. Resampling is Pillow-style bicubic (a = -0.5, antialiased); \
        an image already at the resolution is not resampled.
        """
    )

    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file, a text file or a bundle folder.", valueName: "INPUT"))
    var input: String

    @OptionGroup var media: MediaOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the tokens.", valueName: "PATH.npy|PATH.safetensors"))
    var out: String

    func validate() throws {
        guard out.hasSuffix(".npy") || out.hasSuffix(".safetensors") else {
            throw ValidationError("--out: '\(out)' must end in .npy or .safetensors")
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        // The one loading path: the same tokens `deft view` and `deft score` would score.
        let sample = try SampleLoader.load(input, options: media.loadShowingProgress)
        let layout = sample.tokenSet.layout
        var metadata = ["modality": layout.modality.rawValue, "origin": sample.tokenSet.featureOrigin, "source": input,
                        "frames": "\(layout.modality == .video ? layout.frames : 1)"]
        if layout.modality != .text { metadata["grid"] = "\(layout.height)x\(layout.width)" }
        if case .text(let document)? = sample.media {
            metadata["spans"] = "[" + document.tokens.map { "[\($0.byteStart),\($0.byteEnd)]" }.joined(separator: ",") + "]"
            metadata["span_unit"] = "utf8-bytes"
        }
        let tokens = sample.tokenSet.tokens
        let tensor = Tensor(shape: [tokens.rows, tokens.cols], values: tokens.storage)
        if out.hasSuffix(".npy") { try Npy.write(tensor, to: out) } else {
            try SafetensorsFile.write([("tokens", tensor)], metadata: metadata, to: out)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("\(out): \(tokens.rows)×\(tokens.cols) tokens from \(sample.tokenSet.featureOrigin)"
              + (metadata["grid"].map { ", grid \($0)" } ?? "") + (layout.modality == .video ? ", \(layout.frames) frames" : "")
              + String(format: ", %.2f s", seconds))
    }
}
