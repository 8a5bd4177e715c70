import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTMedia

/// How media become tokens, shared by every command that opens images, frames, videos or text.
struct MediaOptions: ParsableArguments {
    @Option(help: ArgumentHelp("dinov2-s14 (images, frames, video), minilm-l6 (text) or builtin (weight-free). Default: the real encoder of the input's modality (`deft models fetch` installs them); a bundle without features uses the one it was made with.", valueName: "ENCODER"))
    var encoder: EncoderName?

    @Option(help: "Hidden state of a real encoder: last or penultimate (default: penultimate for dinov2-s14, as LLaVA feeds its projector; last for minilm-l6).")
    var layer: EncoderLayer?

    @Option(help: ArgumentHelp("dinov2-s14's input side, a multiple of 14 (default 336: 24×24 = 576 tokens, LLaVA-1.5's count).", valueName: "PX"))
    var resolution: Int?

    @Option(help: "Non-square images for dinov2-s14: pad (to a mean-colour square, as LLaVA-1.5; default), crop (centre) or keep (aspect ratio).")
    var fit: ImageFit?

    @Option(help: ArgumentHelp("Patch grid per image or frame for the builtin encoder (rows × columns).", valueName: "HxW"))
    var grid: GridSize?

    @Option(help: "Frames to take from a video, evenly spaced (default 8).")
    var frames: Int?

    func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames: must be at least 1, got \(frames)") }
        if let grid { _ = try SizeLimits.product([grid.height, grid.width], source: "--grid", what: "a grid of", limit: GridSize.maxPatches) }
        if let resolution { _ = try ImagePreprocessing(resolution: resolution, fit: fit ?? .pad) }
        if encoder == .builtin, layer != nil || resolution != nil || fit != nil {
            throw ValidationError("--\(layer != nil ? "layer" : resolution != nil ? "resolution" : "fit"): applies to a real encoder, not builtin")
        }
    }

    var choice: EncoderChoice {
        EncoderChoice(name: encoder, layer: layer, resolution: resolution ?? 336, fit: fit ?? .pad)
    }

    var load: LoadOptions { LoadOptions(grid: grid, frames: frames, encoder: choice) }

    /// `load` with a progress bar on stderr when it is a terminal, for the commands that do not take the screen.
    var loadShowingProgress: LoadOptions {
        var l = load
        l.progress = LoadProgressBar.onTerminal()
        return l
    }
}

extension EncoderName: ExpressibleByArgument {}
extension EncoderLayer: ExpressibleByArgument {}
extension ImageFit: ExpressibleByArgument {}
