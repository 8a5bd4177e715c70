import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

/// The tasks `deft eval accuracy --task` runs.
enum AccuracyTask: String, ExpressibleByArgument, CaseIterable {
    case digits
    case fashionMNIST = "fashion-mnist"
    case fashionMNISTSmall = "fashion-mnist-small"

    var scenes: FashionScenes.Task? {
        switch self {
        case .digits: return nil
        case .fashionMNIST: return .whole
        case .fashionMNISTSmall: return .small
        }
    }
}

/// The Fashion tasks' token source: DINOv2-S/14's penultimate layer (the experiment's frozen model),
/// or the built-in patch features on the same 16×16 grid (a weight-free control).
func accuracyEncoder(_ name: EncoderName) throws -> VisualEncoder {
    switch name {
    case .dinov2S14: return try .dinov2S14(try DINOv2Encoder.installed())
    case .builtin: return .builtin
    case .miniLML6: throw DeFTError("--encoder", "minilm-l6 encodes text; the Fashion tasks need dinov2-s14 or builtin")
    }
}

/// `deft eval accuracy --task fashion-mnist…`: images → tokens (cached) → reader → DeFT per ratio → every method.
struct FashionAccuracy {
    let command: EvalAccuracy

    func run() throws {
        let c = command
        guard let task = c.task.scenes else { preconditionFailure("digits runs its own path") }
        let choice = c.encoder ?? .dinov2S14
        let encoder = try accuracyEncoder(choice)
        let trainCount = c.train ?? (c.quick ? 1000 : 5000), testCount = c.test ?? (c.quick ? 1000 : 10_000)
        guard trainCount >= 10 else { throw DeFTError("--train", "needs at least 10 images, got \(trainCount)") }
        guard testCount >= 1 else { throw DeFTError("--test", "needs at least 1 image, got \(testCount)") }
        let splits = TaskSplits(train: trainCount, test: testCount)
        guard splits.train.upperBound <= splits.validation.lowerBound else {
            throw DeFTError("--train", "\(trainCount) training images and a fifth more for validation exceed Fashion-MNIST's 60 000")
        }
        guard testCount <= 10_000 else { throw DeFTError("--test", "Fashion-MNIST has 10 000 test images, \(testCount) were asked for") }

        let bundle = try c.bundle.map(AccuracyBundle.init)
        let trainItems = try FashionMNIST.load(.train), testItems = try FashionMNIST.load(.test)
        let trainScenes = FashionScenes(task: task, items: trainItems, splitTag: 0)
        let testScenes = FashionScenes(task: task, items: testItems, splitTag: 1)
        func encode(_ scenes: FashionScenes, _ split: FashionMNIST.Split, _ range: Range<Int>, _ name: String) throws -> TokenStore {
            let bar = ProgressLine(total: range.count, first: 0, unit: "image")
            let t0 = Date()
            defer { bar.finish() }
            return try TaskTokens.load(scenes: scenes, split: split, range: range, encoder: encoder) { done, total, encoded in
                // The rate counts only what is encoded now; images read from the cache are said apart.
                let cached = done - encoded
                bar.update(step: done, text: "encoding \(task.rawValue) \(name)" + (cached > 0 ? " (\(cached) from the cache)" : ""),
                           elapsed: Date().timeIntervalSince(t0), done: encoded)
            }
        }
        let train = try encode(trainScenes, .train, splits.train, "train")
        let validation = try encode(trainScenes, .train, splits.validation, "validation")
        let onValidation = c.evaluateOn == .validation
        let test = onValidation ? validation : try encode(testScenes, .test, splits.test, "test")

        var options = ReaderExperiment.Options()
        if let r = c.ratios { options.ratios = r.values }
        if c.quick { options.reader.steps = 400; options.deftSteps = 150 }
        if let s = c.readerSteps {
            guard s > 0 else { throw DeFTError("--reader-steps", "must be at least 1, got \(s)") }
            options.reader.steps = s
        }
        if let p = c.feedbackDropout {
            guard p >= 0, p <= 1 else { throw DeFTError("--feedback-dropout", "must be in [0, 1], got \(p)") }
            options.feedbackDropout = p
        }
        if let s = c.deftSteps {
            guard s > 0 else { throw DeFTError("--deft-steps", "must be at least 1, got \(s)") }
            options.deftSteps = s
        }
        let layout = TokenLayout.image(height: encoder.grid.height, width: encoder.grid.width)
        var bar: ProgressLine? = nil, current = "", stageStart = Date()
        let result = try ReaderExperiment(options: options).run(task: task.rawValue, train: train, validation: validation, test: test,
                                                               layout: layout) { stage in
            switch stage {
            case .reader(let s, let total):
                if current != "reader" { bar?.finish(); bar = ProgressLine(total: total, first: 0); current = "reader"; stageStart = Date() }
                let elapsed = Date().timeIntervalSince(stageStart)
                bar?.update(step: s, text: "reader on all tokens", elapsed: elapsed, done: s)
            case .deft(let r, let s, let total):
                if current != "deft \(r)" { bar?.finish(); bar = ProgressLine(total: total, first: 0); current = "deft \(r)"; stageStart = Date() }
                let elapsed = Date().timeIntervalSince(stageStart)
                bar?.update(step: s, text: "DeFT at \(percent(r))", elapsed: elapsed, done: s)
            case .evaluating: break
            }
        }
        bar?.finish()
        let readerPath = c.readerOut ?? (TaskTokens.cacheDirectory() as NSString)
            .appendingPathComponent("reader-\(task.rawValue)-\(choice.rawValue)-\(trainCount).safetensors")
        try result.reader.save(to: readerPath)
        try bundle?.write(title: "\(task.rawValue) · \(choice.rawValue) tokens", scenes: onValidation ? trainScenes : testScenes,
                          first: onValidation ? splits.validation.lowerBound : splits.test.lowerBound, tokens: test, grid: encoder.grid,
                          reader: result.reader, models: result.models, report: result.report)
        let provenance = "tokens: \(encoder.name); reader: \(readerPath)" + (onValidation ? "; evaluated on the validation split" : "")
        if c.json {
            FileHandle.standardError.write(Data("\(provenance)\n".utf8))
            try printJSON(result.report)
            return
        }
        print(render(result.report, result.notes, provenance: provenance, validation: splits.validation.count, onValidation: onValidation))
    }

    func render(_ r: ReaderExperiment.Report, _ notes: ReaderExperiment.Notes, provenance: String, validation: Int,
                onValidation: Bool) -> String {
        let evaluated = onValidation ? "evaluated on the validation split (\(r.test) images; not the test split)" : "tested on \(r.test)"
        var out = ["\(r.task): reader trained on \(r.train) images (validation \(validation)), \(evaluated); \(provenance)",
                   "all tokens: \(percent(r.full.accuracy)) ± \(percent(r.full.stderr)) (validation \(percent(notes.validationFull)))", ""]
        var table = [["keep", "k", "method", "mode", "accuracy", "retained", "vs uniform (paired)", "tokens read"]]
        for row in r.rows {
            let diff = String(format: "%+.1f ± %.1f", row.paired_diff_vs_uniform * 100, row.paired_stderr * 100)
            table.append([percent(row.ratio), "\(row.k)", row.method, row.mode, "\(percent(row.accuracy)) ± \(percent(row.stderr))",
                          percent(row.retained, digits: 1), diff, String(format: "%.1f", row.tokens_read)])
        }
        out.append(Table.render(table))
        out.append("")
        out.append("random: mean over seeds; its spread (min–max): " + notes.randomSpread.keys.sorted(by: >).map { k in
            "\(percent(k)) \(percent(notes.randomSpread[k]!.0))–\(percent(notes.randomSpread[k]!.1))" }.joined(separator: ", "))
        out.append("DeFT on validation: " + notes.validationDeFT.keys.sorted(by: >).map { "\(percent($0)) \(percent(notes.validationDeFT[$0]!))" }
            .joined(separator: ", "))
        for ratio in notes.deftVersus.keys.sorted(by: >) {
            out.append("deft − baseline at \(percent(ratio)), paired: " + notes.deftVersus[ratio]!.map {
                "\($0.method) " + String(format: "%+.1f ± %.1f", $0.difference * 100, $0.stderr * 100) }.joined(separator: ", "))
        }
        for ratio in notes.signals.keys.sorted(by: >) {
            let g = notes.signals[ratio]!
            out.append("deft's signals alone at \(percent(ratio)) (mixture β saliency/feedback/group "
                       + g.mixture.map { String(format: "%.2f", $0) }.joined(separator: "/")
                       + "): feedback \(percent(g.feedbackAlone)), group \(percent(g.groupAlone)) (saliency alone: its row)")
        }
        for ratio in notes.coverage.keys.sorted(by: >) {
            let c = notes.coverage[ratio]!
            func pm(_ p: (difference: Double, stderr: Double)) -> String { String(format: "%+.1f ± %.1f", p.difference * 100, p.stderr * 100) }
            out.append("importance + coverage at \(percent(ratio)) (an experiment, not DeFT: DeFT's top share of k, the rest by the uniform order; "
                       + "share on validation " + c.validation.map { "\(percent($0.share, digits: 0)) \(percent($0.accuracy))" }.joined(separator: ", ")
                       + "): share \(percent(c.share, digits: 0)), \(percent(c.accuracy)), vs uniform \(pm(c.versusUniform)), vs deft \(pm(c.versusDeFT))")
        }
        out.append("deft's feedback costs one all-token reader pass (forward and backward) per image before pruning; deft-no-feedback none")
        if !notes.omitted.isEmpty { out.append("not in this table: " + notes.omitted.joined(separator: "; ")) }
        return out.joined(separator: "\n")
    }
}
