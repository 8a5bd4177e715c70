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
        let layout = sample.tokenSet.layout, tokens = sample.tokenSet.tokens
        if out.hasSuffix(".npy") { try Npy.write(TokenFile.tensor(sample), to: out) } else {
            try TokenFile.write(sample, source: input, as: .f32, to: out)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("\(out): \(tokens.rows)×\(tokens.cols) tokens from \(sample.tokenSet.featureOrigin)"
              + (layout.modality == .text ? "" : ", grid \(layout.height)x\(layout.width)") + (layout.modality == .video ? ", \(layout.frames) frames" : "")
              + String(format: ", %.2f s", seconds))
    }
}
