import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

/// `deft eval accuracy`: held-out digit accuracy when only k tokens reach the frozen model and head.
struct EvalAccuracy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Accuracy with all tokens and with DeFT and each baseline at each ratio: held-out digits, or Fashion-MNIST read by a frozen reader.",
        discussion: """
        --task fashion-mnist | fashion-mnist-small: generate the task's images (seeded), encode them once with --encoder (cached
        as float16 under ~/.cache/deft/tokens or $DEFT_CACHE/tokens), train the reader on every token and freeze it, train
        DeFT at each ratio with the reader as its objective, and evaluate every method on the test images (README, deft eval).

        --task digits (the default) — protocol: the weights and classifier head come from `deft train --objective classify` on the training split
        (every digit whose index is not ≡ 4 mod 5); the held-out split (index ≡ 4 mod 5) is evaluated here. The
        model and head are frozen; each method only chooses which k tokens the head's mean pooling sees (ToMe
        hands it k merged tokens). DeFT's feedback comes from the head's own prediction, never the label.
        """
    )

    @Argument(help: ArgumentHelp("Folder with images-idx3-ubyte and labels-idx1-ubyte (default: Samples/digits).", valueName: "DIGITS"))
    var folder: String?

    @Option(help: ArgumentHelp("Weights trained on it with a head beside them (default: DIGITS/weights.safetensors).", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: "Retention ratios, comma-separated (digits: 0.1,0.25,0.482,0.75; Fashion tasks: 0.75,0.482,0.25,0.125).")
    var ratios: RatioList?

    @Option(help: "Seed of the random baseline.")
    var seed: UInt64 = 0

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "digits | fashion-mnist | fashion-mnist-small.")
    var task: AccuracyTask = .digits

    @Option(help: "Fashion tasks: training images (validation: a fifth as many, from the end of the training split). Default 5000; --quick 1000.")
    var train: Int?

    @Option(help: "Fashion tasks: test images. Default 10000; --quick 1000.")
    var test: Int?

    @Flag(help: "Fashion tasks: 1000 / 1000 images and shorter training (CI).")
    var quick = false

    @Option(help: "Fashion tasks: the encoder that makes the tokens: dinov2-s14 (default: its penultimate layer at 224 px, 256 tokens) or builtin (raw-pixel patch features on the same 16×16 grid).")
    var encoder: EncoderName?

    @Option(help: "Fashion tasks: the reader's training steps (default 1500; --quick 400).")
    var readerSteps: Int?

    @Option(help: "Fashion tasks: DeFT's training steps per ratio (default 600; --quick 150).")
    var deftSteps: Int?

    @Option(help: "Fashion tasks: the share of DeFT's training steps without the feedback signal, so its saliency also works alone (default 0.5, chosen on validation).")
    var feedbackDropout: Double?

    @Option(help: "Fashion tasks: where the reader is written (default: beside the token cache).")
    var readerOut: String?

    @Option(help: "Fashion tasks: the split every method is evaluated on: test (the reported numbers) or validation (where settings are chosen, without looking at the test split).")
    var evaluateOn: EvaluationSplit = .test

    @Option(help: ArgumentHelp("Fashion tasks: also write a viewer bundle of the first 50 evaluated images (tokens, reader, DeFT at 48.2 %, the accuracy curve) into DIR.",
                               valueName: "DIR"))
    var bundle: String?

    enum EvaluationSplit: String, ExpressibleByArgument, CaseIterable { case test, validation }

    struct Row: Encodable {
        let ratio: Double
        let k: Int
        let accuracy: [String: Double]
        /// accuracy / accuracy with every token.
        let retained: [String: Double]
        /// DeFT in hybrid mode (kept + gate-restored tokens), when the weights have an RTD.
        let hybrid: Hybrid?
    }

    struct Hybrid: Encodable {
        let accuracy: Double
        let retained: Double
        /// Tokens the head reads per input: k plus the mean number restored.
        let meanTokens: Double
    }

    struct Report: Encodable {
        let data: String
        let weights: String
        let testCount: Int
        let tokens: Int
        let allTokens: Double
        let rows: [Row]
    }

    func run() throws {
        if task != .digits { return try FashionAccuracy(command: self).run() }
        for (name, given) in [("--train", train != nil), ("--test", test != nil), ("--quick", quick), ("--encoder", encoder != nil),
                              ("--reader-out", readerOut != nil), ("--evaluate-on", evaluateOn != .test), ("--feedback-dropout", feedbackDropout != nil),
                              ("--reader-steps", readerSteps != nil), ("--deft-steps", deftSteps != nil), ("--bundle", bundle != nil)] where given {
            throw DeFTError(name, "applies to the Fashion-MNIST tasks, not to --task digits")
        }
        let dir: String
        if let folder { dir = folder } else {
            guard let root = SampleCatalog.defaultRoot() else { throw DeFTError("", "no DIGITS folder given and no Samples folder found") }
            dir = (root as NSString).appendingPathComponent("digits")
        }
        let digits = try LabelledDigits.load(folder: dir)
        let w = weights ?? (dir as NSString).appendingPathComponent("weights.safetensors")
        let service = try ScoringService(weights: w, tokenDim: digits.tokens(0).cols, seed: 0, source: dir)
        let model = service.model
        let head = try (service.head as? ClassifyObjective) ?? Checkpoint.loadHead(beside: w)
        guard head.classes >= 10 else { throw DeFTError(w, "its head has \(head.classes) classes, the digits need 10") }
        let test = digits.split().test
        let inputs = test.map(digits.tokens), labels = test.map { digits.labels[$0] }
        let layout = TokenLayout.image(height: LabelledDigits.grid.height, width: LabelledDigits.grid.width)

        let all = ClassifierEvaluation.accuracy(
            try ClassifierEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, ratio: 1), labels)
        let rows = try (ratios ?? RatioList([0.1, 0.25, DeFTConfig.paperRatio, 0.75])).values.map { r -> Row in
            var acc = [String: Double](), kept = [String: Double]()
            for m in Method.allCases {
                let a = ClassifierEvaluation.accuracy(
                    try AccuracyEvaluation.predictions(model: model, head: head, inputs: inputs, layout: layout, method: m, ratio: r, seed: seed), labels)
                acc[m.rawValue] = a
                kept[m.rawValue] = all > 0 ? a / all : 0
            }
            let k = TokenScores.keepCount(ratio: r, tokens: layout.count)
            var hybrid: Hybrid? = nil
            if let h = try AccuracyEvaluation.hybridPredictions(model: model, head: head, inputs: inputs, layout: layout, ratio: r) {
                let a = ClassifierEvaluation.accuracy(h.predictions, labels)
                hybrid = Hybrid(accuracy: a, retained: all > 0 ? a / all : 0, meanTokens: Double(k) + h.restored)
            }
            return Row(ratio: r, k: k, accuracy: acc, retained: kept, hybrid: hybrid)
        }
        let report = Report(data: dir, weights: w, testCount: inputs.count, tokens: layout.count, allTokens: all, rows: rows)
        if json { try printJSON(report); return }
        print("\(dir.terminalSafe): \(inputs.count) held-out digits (index ≡ 4 mod 5), \(layout.count) tokens each; weights \(w)")
        print("all \(layout.count) tokens: \(percent(all))")
        var table = [["keep", "k"] + Method.allCases.map(\.title) + ["DeFT hybrid (tokens)"]]
        for row in rows {
            table.append([percent(row.ratio), "\(row.k)"] + Method.allCases.map { m in
                "\(percent(row.accuracy[m.rawValue]!)) (\(percent(row.retained[m.rawValue]!, digits: 0)))"
            } + [row.hybrid.map { "\(percent($0.accuracy)) (\(percent($0.retained, digits: 0)), \(String(format: "%.1f", $0.meanTokens)))" } ?? "—"])
        }
        print(Table.render(table))
        print("accuracy (share of the all-token accuracy kept); hybrid: kept + tokens the gate restores through the RTD")
    }
}
