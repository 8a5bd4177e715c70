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
        discussion: "Keys: +/- ratio, PgUp/PgDn ±10 %, r type a ratio, m mode, c channel, o overlay, arrows or click the cursor, [ ] switch sample, ? help, q quit."
    )

    @OptionGroup var options: ViewOptions

    @Flag(help: "Print one frame to stdout and exit (no terminal needed).")
    var snapshot = false

    static let maxSnapshotSide = 2000

    @Option(help: ArgumentHelp("Snapshot size in cells.", valueName: "WxH"))
    var size: String = "100x30"

    func run() throws {
        let (paths, names) = try options.resolvedInputs()
        if snapshot {
            guard let g = GridSize(size.replacingOccurrences(of: "X", with: "x")) else {
                throw DeFTError("--size", "expected WxH, got '\(size)'")
            }
            // A frame holds a cell per position: bound it before allocating (10⁶×10⁶ would be 10¹² cells).
            for side in [g.height, g.width] where side > Self.maxSnapshotSide {
                throw DeFTError("--size", "\(side) cells is more than deft's limit of \(Self.maxSnapshotSide) a side")
            }
            print(try Viewer.snapshot(paths: paths, names: names, settings: try options.settings(), width: g.height, height: g.width),
                  terminator: "")
            return
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft view needs a terminal; to print one frame use: deft view --snapshot [--size 100x30] [--color 256]")
        }
        Viewer.run(paths: paths, names: names, settings: try options.settings())
    }
}

/// `deft tour`: plays through the samples until a key is pressed.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tour", abstract: "Play a captioned tour of the samples; any key takes over.")

    @OptionGroup var options: ViewOptions

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft tour needs a terminal")
        }
        var settings = try options.settings()
        settings.tour = true
        let (paths, names) = try options.resolvedInputs()
        Viewer.run(paths: paths, names: names, settings: settings)
    }
}

struct ViewOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Images, frame folders, video files, text files or bundle folders (default: the bundled samples).", valueName: "INPUT"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Patch grid per image or frame.", valueName: "HxW"))
    var grid: String?

    @Option(help: "Frames to take from a video, evenly spaced.")
    var frames: Int?

    @Option(help: ArgumentHelp("Token features from your model for the (single) input.", valueName: "PATH[:KEY]"))
    var features: String?

    @Option(help: ArgumentHelp("DeFT weights for every input.", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: "Initial keep ratio in (0, 1].")
    var ratio: Double = 0.482

    @Option(help: "Initial mode: fast, hybrid or adaptive.")
    var mode: InferenceMode = .fast

    @Option(help: "Initial channel: combined, saliency, feedback, group or rank.")
    var channel: String = "combined"

    @Flag(help: "Start with the heatmap overlaid on the pixels.")
    var overlay = false

    @Option(help: "Colours: none, 8, 16, 256 or truecolor (default: detect; NO_COLOR is honoured).")
    var color: String?

    @Flag(help: "ASCII only (no Unicode block glyphs).")
    var ascii = false

    @Option(help: "Start comparing DeFT with a baseline: random, uniform, norm, saliency or tome.")
    var compare: Method?

    @Flag(help: "Start with the retention curves shown.")
    var curves = false

    @Option(help: ArgumentHelp("Language model for the cost estimate: llava-1.5-7b, llava-1.5-13b or a config.json.", valueName: "MODEL"))
    var llm = "llava-1.5-7b"

    @Option(name: .customLong("text-tokens"), help: "Prompt tokens the cost estimate adds to the kept ones.")
    var textTokens = 64

    func settings() throws -> Viewer.Settings {
        var s = Viewer.Settings()
        guard ratio > 0, ratio <= 1 else { throw DeFTError("--ratio", "the keep ratio must be in (0, 1], got \(ratio)") }
        s.ratio = ratio; s.mode = mode; s.overlay = overlay; s.ascii = ascii
        guard compare != .deft else { throw DeFTError("--compare", "compare DeFT with a baseline: random, uniform, norm, saliency or tome") }
        guard textTokens >= 0 else { throw DeFTError("--text-tokens", "cannot be negative, got \(textTokens)") }
        s.baseline = compare; s.curves = curves
        s.cost = CostModel(model: try LanguageModel.named(llm), textTokens: textTokens)
        guard let ch = Channel(rawValue: channel) else { throw DeFTError("--channel", "unknown channel '\(channel)'") }
        s.channel = ch
        if let color {
            guard let d = ColorDepth(rawValue: color == "24bit" ? "truecolor" : color) else {
                throw DeFTError("--color", "expected none, 8, 16, 256 or truecolor, got '\(color)'")
            }
            s.color = d
        }
        s.scorer.load.grid = try GridOption.parse(grid)
        s.scorer.load.frames = frames
        s.scorer.load.features = features
        s.scorer.weights = weights
        return s
    }

    func resolvedInputs() throws -> (paths: [String], names: [String]) {
        if !inputs.isEmpty { return (inputs, inputs.map { ($0 as NSString).lastPathComponent }) }
        guard let root = SampleCatalog.defaultRoot() else {
            throw DeFTError("", "no input given and no Samples folder found (run from the deft checkout or set DEFT_SAMPLES)")
        }
        let bundles = SampleCatalog.bundles(in: root)
        return (bundles, bundles.map { ($0 as NSString).lastPathComponent })
    }
}
