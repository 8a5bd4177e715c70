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
        if options.record != nil && (snapshot || export != nil) {
            throw DeFTError("--record", "records the interactive viewer; it does not apply with --snapshot or --export")
        }
        if let export {
            guard paths.count == 1 else { throw DeFTError("--export", "give exactly one INPUT to export, got \(paths.count)") }
            let figure = FigureOptions(ratios: try ratios.map(FigureExport.ratios), gridLines: gridLines)
            let sidecar = try FigureExport.export(input: paths[0], name: names[0], settings: try options.settings(), options: figure, to: export)
            print("wrote \(export) and \(sidecar)")
            return
        }
        guard ratios == nil, !gridLines else { throw DeFTError(ratios != nil ? "--ratios" : "--grid-lines", "only applies with --export PATH") }
        if snapshot {
            // A frame holds a cell per position: bound it before allocating (10⁶×10⁶ would be 10¹² cells).
            for side in [size.width, size.height] where side > Self.maxSnapshotSide {
                throw DeFTError("--size", "\(side) cells is more than deft's limit of \(Self.maxSnapshotSide) a side")
            }
            print(try Viewer.snapshot(paths: paths, names: names, settings: try options.settings(), width: size.width, height: size.height),
                  terminator: "")
            return
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft view needs a terminal; to print one frame use: deft view --snapshot [--size 100x30] [--color 256]")
        }
        Viewer.run(paths: paths, names: names, settings: try options.settings(), recorder: try options.recorder())
    }
}

/// `deft tour`: plays through the samples until a key is pressed.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tour", abstract: "Play a captioned tour of the samples; any key takes over.")

    @OptionGroup var options: ViewOptions

    @Option(name: .customLong("tour-step-ms"), help: "How long each step stays on screen, in milliseconds.")
    var stepMs = Tour.defaultStepMs

    func validate() throws {
        guard stepMs >= 100, stepMs <= 60_000 else { throw ValidationError("--tour-step-ms: give 100 to 60000 milliseconds, got \(stepMs)") }
    }

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft tour needs a terminal")
        }
        var settings = try options.settings()
        settings.tour = true
        settings.tourStepMs = stepMs
        let (paths, names) = try options.resolvedInputs()
        Viewer.run(paths: paths, names: names, settings: settings, recorder: try options.recorder())
    }
}

struct ViewOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Images, frame folders, video files, text files or bundle folders (default: the bundled samples).", valueName: "INPUT"))
    var inputs: [String] = []

    @OptionGroup var media: MediaOptions

    @Option(help: ArgumentHelp("Token features from your model for the (single) input.", valueName: "PATH[:KEY]"))
    var features: String?

    @Option(help: ArgumentHelp("DeFT weights for every input.", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: "Initial keep ratio, a fraction in (0, 1].")
    var ratio: Double = DeFTConfig.paperRatio

    @Option(help: "Initial mode: fast, hybrid or adaptive.")
    var mode: InferenceMode = .fast

    @Option(help: "Initial channel.")
    var channel: Channel = .combined

    @Flag(help: "Start with the heatmap overlaid on the pixels.")
    var overlay = false

    @Option(help: "Colours (default: detect; NO_COLOR is honoured).")
    var color: ColorDepth?

    @Flag(help: "ASCII only (no Unicode block glyphs).")
    var ascii = false

    @Option(help: "Start comparing DeFT with a baseline.")
    var compare: Method?

    @Flag(help: "Start with the retention curves shown.")
    var curves = false

    @Option(help: ArgumentHelp("Language model for the cost estimate: llava-1.5-7b, llava-1.5-13b or a config.json.", valueName: "MODEL"))
    var llm = "llava-1.5-7b"

    @Option(name: .customLong("text-tokens"), help: "Prompt tokens the cost estimate adds to the kept ones.")
    var textTokens = 64

    @Option(help: ArgumentHelp("Record the session as an asciicast v2 file (asciinema's format).", valueName: "PATH.cast"))
    var record: String?

    func recorder() throws -> CastRecorder? { try record.map { try CastRecorder(path: $0) } }

    func validate() throws {
        guard ratio > 0, ratio <= 1 else { throw ValidationError(RatioOption.problem(ratio)) }
        guard compare != .deft else { throw ValidationError("--compare: compare DeFT with a baseline: random, uniform, norm, saliency or tome") }
        guard textTokens >= 0 else { throw ValidationError("--text-tokens: cannot be negative, got \(textTokens)") }
    }

    func settings() throws -> Viewer.Settings {
        var s = Viewer.Settings()
        s.ratio = ratio; s.mode = mode; s.overlay = overlay; s.ascii = ascii
        s.baseline = compare; s.curves = curves; s.channel = channel; s.color = color
        s.cost = CostModel(model: try LanguageModel.named(llm), textTokens: textTokens)
        s.scorer.load = media.load
        s.scorer.load.features = features
        s.scorer.weights = weights
        return s
    }

    func resolvedInputs() throws -> (paths: [String], names: [String]) {
        if !inputs.isEmpty {
            // A folder of bundles (like Samples/) opens as its bundles, as bare `deft` opens Samples/.
            let paths = inputs.flatMap { input -> [String] in
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue,
                      !SampleCatalog.isSample(input) else { return [input] }
                let inside = SampleCatalog.bundles(in: input)
                return inside.isEmpty ? [input] : inside
            }
            return (paths, paths.map { ($0 as NSString).lastPathComponent })
        }
        guard let root = SampleCatalog.defaultRoot() else {
            throw DeFTError("", "no input given and no Samples folder found (run from the deft checkout or set DEFT_SAMPLES)")
        }
        let bundles = SampleCatalog.bundles(in: root)
        return (bundles, bundles.map { ($0 as NSString).lastPathComponent })
    }
}
