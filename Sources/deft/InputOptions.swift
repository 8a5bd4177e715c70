import ArgumentParser
import DeFT
import DeFTMedia
import Foundation

/// The input options every command that reads one token set shares: a media INPUT, or --tokens.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file, a text file or a bundle folder (instead of --tokens).", valueName: "INPUT"))
    var input: String?

    @Option(help: ArgumentHelp("Token features: FILE.npy or FILE.safetensors[:KEY].", valueName: "PATH[:KEY]"))
    var tokens: String?

    @Option(help: "image, video or text (required with --tokens).")
    var modality: Modality?

    /// --grid also shapes --tokens: optional for an image whose N is a square, required for video.
    @OptionGroup var media: MediaOptions
    var grid: GridSize? { media.grid }

    /// The tokens to score: from --tokens, or encoded from a media INPUT.
    struct Source {
        let tokens: Matrix
        let batch: Int
        let layout: TokenLayout
        let label: String
        var sample: LoadedSample?
    }

    func source() throws -> Source {
        switch (input, tokens) {
        case (nil, nil): throw DeFTError("", "give an INPUT (image, frames, video, text, bundle) or --tokens PATH[:KEY]")
        case (.some, .some): throw DeFTError("", "give either an INPUT or --tokens, not both")
        case (let input?, nil):
            let sample = try SampleLoader.load(input, options: media.loadShowingProgress)
            for note in sample.notes { FileHandle.standardError.write(Data("deft: note: \(note)\n".utf8)) }
            return Source(tokens: sample.tokenSet.tokens, batch: 1, layout: sample.tokenSet.layout,
                          label: "\(input) (\(sample.tokenSet.featureOrigin))", sample: sample)
        case (nil, let tokens?):
            guard let modality else { throw DeFTError("--modality", "--tokens needs --modality image|video|text") }
            let ref = ArrayReference(tokens)
            let raw = try ref.load()
            guard raw.shape.count == 2 || raw.shape.count == 3, raw.shape.allSatisfy({ $0 > 0 }) else {
                throw DeFTError(ref.label, "tokens have shape \(raw.shape), expected [N,d] or [B,N,d]")
            }
            let n = raw.shape[raw.shape.count - 2]
            let layout = try Self.layout(modality: modality, grid: grid, tokens: n, source: ref.label)
            return Source(tokens: raw.asMatrix(), batch: raw.shape.count == 3 ? raw.shape[0] : 1, layout: layout, label: ref.label)
        }
    }

    /// The layout named by --modality/--grid for N tokens, or an error saying how they differ.
    static func layout(modality: Modality, grid: GridSize?, tokens n: Int, source: String) throws -> TokenLayout {
        let hw = grid.map { ($0.height, $0.width) }
        switch modality {
        case .text:
            return .text(count: n)
        case .image:
            let (h, w) = hw ?? {
                let s = Int(Double(n).squareRoot().rounded())
                return s * s == n ? (s, s) : (0, 0)
            }()
            guard h > 0 else { throw DeFTError(source, "\(n) tokens are not a square grid; give --grid HxW") }
            guard h * w == n else { throw DeFTError(source, "\(n) tokens do not fill a \(h)×\(w) grid (\(h * w) patches)") }
            return .image(height: h, width: w)
        case .video:
            guard let (h, w) = hw else { throw DeFTError("--grid", "video needs --grid HxW (patches per frame)") }
            guard n % (h * w) == 0 else {
                throw DeFTError(source, "\(n) tokens are not whole frames of \(h)×\(w) = \(h * w) patches")
            }
            return .video(frames: n / (h * w), height: h, width: w)
        }
    }
}
