import ArgumentParser
import DeFT
import DeFTEval
import DeFTMedia
import DeFTViz
import Foundation

/// `deft view`: the visualizer. With no input it opens every bundled sample.
struct View: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the visualizer on images, frame folders, videos, text files or bundles.",
        discussion: "Keys: ? lists them all (+/- ratio, x budgets, r type a ratio, m mode, c channel, o overlay, b compare, g curves, [ ] sample, q quit)."
    )

    @OptionGroup var options: ViewOptions

    @Flag(help: "Print one frame to stdout and exit (no terminal needed).")
    var snapshot = false

    static let maxSnapshotSide = 2000

    @Option(help: ArgumentHelp("Snapshot size in cells.", valueName: "WxH"))
    var size = CellSize(width: 100, height: 30)

    @Option(help: ArgumentHelp("Write the view as a figure at the source's resolution, and PATH.json with the selection beside it (no terminal needed).",
                               valueName: "PATH.png|PATH.svg"))
    var export: String?

    @Option(help: ArgumentHelp("With --export: one panel per keep ratio.", valueName: "R1,R2,..."))
    var ratios: String?

    @Flag(name: .customLong("grid-lines"), help: "With --export: draw the patch grid.")
    var gridLines = false

    func run() throws {
        let (paths, names) = try options.resolvedInputs()
        // Without the full-screen viewer, stderr is free for a long load's progress bar.
        var settings = try options.settings()
        if snapshot || export != nil { settings.scorer.load.progress = LoadProgressBar.onTerminal() }
        if options.record != nil && (snapshot || export != nil) {
            throw DeFTError("--record", "records the interactive viewer; it does not apply with --snapshot or --export")
        }
        if options.graphics != .auto && (snapshot || export != nil) {
            throw DeFTError("--graphics", "draws the interactive viewer's canvas; it does not apply with --snapshot or --export")
        }
        if let export {
            guard paths.count == 1 else { throw DeFTError("--export", "give exactly one INPUT to export, got \(paths.count)") }
            let figure = FigureOptions(ratios: try ratios.map(FigureExport.ratios), gridLines: gridLines)
            let sidecar = try FigureExport.export(input: paths[0], name: names[0], settings: settings, options: figure, to: export)
            print("wrote \(export) and \(sidecar)")
            return
        }
        guard ratios == nil, !gridLines else { throw DeFTError(ratios != nil ? "--ratios" : "--grid-lines", "only applies with --export PATH") }
        if snapshot {
            // A frame holds a cell per position: bound it before allocating (10⁶×10⁶ would be 10¹² cells).
            for side in [size.width, size.height] where side > Self.maxSnapshotSide {
                throw DeFTError("--size", "\(side) cells is more than deft's limit of \(Self.maxSnapshotSide) a side")
            }
            print(try Viewer.snapshot(paths: paths, names: names, settings: settings, width: size.width, height: size.height),
                  terminator: "")
            return
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft view needs a terminal; to print one frame use: deft view --snapshot [--size 100x30] [--color 256]")
        }
        Viewer.run(paths: paths, names: names, settings: settings, recorder: try options.recorder())
    }
}
