import ArgumentParser
import DeFT
import DeFTMedia

/// How media become tokens, shared by every command that opens images, frames, videos or text.
struct MediaOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Patch grid per image or frame (rows × columns).", valueName: "HxW"))
    var grid: GridSize?

    @Option(help: "Frames to take from a video, evenly spaced (default 8).")
    var frames: Int?

    func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames: must be at least 1, got \(frames)") }
        if let grid { _ = try SizeLimits.product([grid.height, grid.width], source: "--grid", what: "a grid of", limit: GridSize.maxPatches) }
    }

    var load: LoadOptions { LoadOptions(grid: grid, frames: frames) }
}
