import ArgumentParser
import DeFT
import DeFTEval
import DeFTMedia
import DeFTViz
import Foundation

struct ViewOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Images, frame folders, video files, text files or bundle folders (default: the bundled samples).", valueName: "INPUT"))
    var inputs: [String] = []

    @OptionGroup var media: MediaOptions

    @Option(help: ArgumentHelp("Token features from your model for the (single) input.", valueName: "PATH[:KEY]"))
    var features: String?

    @Option(help: ArgumentHelp("DeFT weights for every input.", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: NeighbourSearch.help)
    var neighbours: NeighbourSearch = .auto

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

    @Option(help: "The image canvas in real pixels (kitty, sixel) or cells; auto asks the terminal (cells inside tmux).")
    var graphics: GraphicsRequest = .auto

    @Flag(help: "ASCII only (no Unicode block glyphs).")
    var ascii = false

    @Option(help: "Block glyphs for images: half (1×2 pixels a cell), quad (2×2) or sextant (2×3; needs a font with Unicode 13's sextants).")
    var symbols: CellSymbols = .standard

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
        s.baseline = compare; s.curves = curves; s.channel = channel; s.color = color; s.symbols = symbols; s.graphics = graphics
        s.cost = CostModel(model: try LanguageModel.named(llm), textTokens: textTokens)
        s.scorer.load = media.load
        s.scorer.load.features = features
        s.scorer.weights = weights
        s.scorer.neighbours = neighbours
        return s
    }

    func resolvedInputs() throws -> (paths: [String], names: [String]) {
        if !inputs.isEmpty {
            // A folder of bundles (like Samples/) opens as its bundles, as bare `deft` opens Samples/;
            // a bundle of several items as its items.
            let paths = inputs.flatMap { input -> [String] in
                if let items = BundleItems.names(input) { return items }
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
