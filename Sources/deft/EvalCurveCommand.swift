import ArgumentParser
import DeFT
import DeFTEval
import DeFTMedia
import DeFTViz
import Foundation

/// `deft eval curve`: fidelity against ratio for DeFT and every baseline on one input.
struct EvalCurve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",
        abstract: "Fidelity of the kept tokens against the ratio, DeFT beside each baseline, on one input.",
        discussion: """
        The input is scored exactly as the viewer scores it (its weights, its feedback). Fidelity is measured on
        the tokens themselves: each token's stand-in is the kept token most like it (cosine), or under ToMe
        the mean of its merge group. error = Σ‖x − x̂‖² / Σ‖x‖² (0 = lossless); coverage = share of tokens
        whose stand-in has cosine ≥ --threshold.
        """
    )

    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file, a text file or a bundle folder.", valueName: "INPUT"))
    var input: String

    @Option(help: ArgumentHelp("DeFT weights (default: the bundle's, else untrained).", valueName: "W.safetensors"))
    var weights: String?

    @OptionGroup var media: MediaOptions

    @Option(help: "Seed of the random baseline (and of untrained weights).")
    var seed: UInt64 = 0

    @Option(help: "Cosine at which a stand-in covers a token.")
    var threshold: Float = Comparison.defaultThreshold

    @Option(help: "Ratio step in percent (the curve runs from the step to 100 %).")
    var step: Int = 5

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Report: Encodable {
        let input: String
        let tokens: Int
        let weights: String
        let threshold: Float
        let curves: [String: [CurvePoint]]
    }

    func run() throws {
        guard step >= 1, step <= 100 else { throw DeFTError("--step", "must be a whole percent in 1…100, got \(step)") }
        guard threshold > -1, threshold <= 1 else { throw DeFTError("--threshold", "a cosine must be in (−1, 1], got \(threshold)") }
        var options = SampleScorer.Options()
        options.load = media.load
        options.weights = weights
        options.seed = seed
        options.threshold = threshold
        let scored = try SampleScorer.score(input, options: options)
        let cmp = SampleScorer.comparison(scored, options: options)
        let ratios = stride(from: step, through: 100, by: step).map { Double($0) / 100 } + (100 % step == 0 ? [] : [1])
        var curves = [String: [CurvePoint]]()
        for m in Method.allCases { curves[m.rawValue] = cmp.curve(m, ratios: ratios) }
        let report = Report(input: input, tokens: scored.scores.count, weights: scored.weights, threshold: threshold, curves: curves)
        if json { try printJSON(report); return }
        print("\(input.terminalSafe): \(scored.scores.count) tokens, \(scored.weights.terminalSafe); stand-in error (lower is better) / coverage at cos ≥ \(threshold)")
        let header = ["keep", "k"] + Method.allCases.map(\.title)
        var rows = [header]
        for (j, r) in ratios.enumerated() {
            rows.append([percent(r, digits: 0), "\(curves["deft"]![j].k)"]
                        + Method.allCases.map { m in
                            let p = curves[m.rawValue]![j]
                            return String(format: "%.3f / %3.0f%%", p.error, p.coverage * 100)
                        })
        }
        print(Table.render(rows))
    }
}
