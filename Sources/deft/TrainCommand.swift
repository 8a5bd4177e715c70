import ArgumentParser
import DeFT
import DeFTMedia
import DeFTTrain
import Foundation

/// `deft train`: learns the SAM, the scorer, the mixture and the RTD from a task objective.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train DeFT's modules with Adam on a task objective and save them as safetensors.",
        discussion: """
        DATA is a digits folder in MNIST's IDX format (classify; every fifth digit is held out and the test
        accuracy is reported), or images, frame folders, videos, texts or bundles that share one token layout
        (reconstruct), or --tokens [B,N,d] with optional --labels [B].
        Writes OUT (the reference's state_dict keys; PyTorch loads it strictly), OUT.head.safetensors
        (classify), OUT.optimizer.safetensors (for --resume), OUT.train.json (the record) and OUT.csv (losses per step).
        """
    )

    @Argument(help: ArgumentHelp("Training inputs.", valueName: "DATA"))
    var data: [String] = []

    @Option(help: ArgumentHelp("Token features [B,N,d] instead of DATA.", valueName: "PATH[:KEY]"))
    var tokens: String?

    @Option(help: ArgumentHelp("Integer labels [B] for --tokens (classify).", valueName: "PATH[:KEY]"))
    var labels: String?

    @Option(help: "image, video or text (with --tokens).")
    var modality: Modality?

    @OptionGroup var media: MediaOptions

    @Option(help: "classify or reconstruct (default: classify with labels, else reconstruct).")
    var objective: ObjectiveName?

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the weights.", valueName: "OUT.safetensors"))
    var out: String

    @Option(help: "Retention ratio the soft mask trains for.")
    var ratio: Double = DeFTConfig.paperRatio

    @Option(help: "Optimisation steps in total (with --resume: including those already done).")
    var steps: Int = 300

    @Option(help: "Inputs per step.")
    var batch: Int = 32

    @Option(help: "Adam's learning rate.")
    var lr: Float = 3e-3

    @Option(help: "Seed for the initial weights and the batches.")
    var seed: UInt64 = 0

    @Option(name: .customLong("semantic-dim"), help: "d′, the semantic width.")
    var semanticDim: Int = 128

    @Option(help: "Temperature τ of the soft keep mask σ((s − t)/τ).")
    var temperature: Float = 0.05

    @Option(help: ArgumentHelp("CSV of the losses per step (default OUT.csv).", valueName: "PATH"))
    var log: String?

    @Flag(help: "Continue the run saved at OUT (weights, head, optimiser state).")
    var resume = false

    @Option(name: .customLong("init"), help: ArgumentHelp("Start from these weights (and the head beside them) with a fresh optimiser.", valueName: "W.safetensors"))
    var initial: String?

    @Option(help: ArgumentHelp("Comma-separated parts to keep fixed: sam, scoring, gate, rtd, classifier.", valueName: "PARTS"))
    var freeze: String?

    @Option(name: .customLong("gate-cost"), help: ArgumentHelp("Also train the reconstruction gate (classify): λ, the loss charged per restored token.", valueName: "λ"))
    var gateCost: Float?

    static var freezable: [String] { Trainer.parts.keys.sorted() }


    /// Inputs to train on, plus held-out digits when the data has a test split.
    struct Corpus {
        let set: TrainingSet
        let test: (inputs: [Matrix], labels: [Int])?
        let describe: [String]
    }

    func corpus() throws -> Corpus {
        if let tokens {
            guard data.isEmpty else { throw DeFTError("--tokens", "give either DATA or --tokens, not both") }
            guard let modality else { throw DeFTError("--modality", "--tokens needs --modality image|video|text") }
            let ref = ArrayReference(tokens)
            let t = try ref.load()
            guard t.shape.count == 3 || t.shape.count == 2, t.shape.allSatisfy({ $0 > 0 }) else {
                throw DeFTError(ref.label, "tokens have shape \(t.shape), expected [B,N,d] or [N,d]")
            }
            let b = t.shape.count == 3 ? t.shape[0] : 1, n = t.shape[t.shape.count - 2]
            let layout = try InputOptions.layout(modality: modality, grid: media.grid, tokens: n, source: ref.label)
            let m = t.asMatrix()
            let inputs = (0..<b).map { m.rows(($0 * n)..<(($0 + 1) * n)) }
            var lab: [Int]? = nil
            if let labels {
                let lref = ArrayReference(labels)
                let l = try lref.load()
                guard l.values.count == b, l.values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 100_000 }) else {
                    throw DeFTError(lref.label, "expected \(b) whole non-negative labels, found shape \(l.shape)")
                }
                lab = l.values.map { Int($0) }
            }
            return Corpus(set: try TrainingSet(layout: layout, inputs: inputs, labels: lab), test: nil, describe: [ref.label])
        }
        guard !data.isEmpty else { throw DeFTError("", "give DATA (digits folder, media, bundles) or --tokens PATH[:KEY]") }
        if data.count == 1, FileManager.default.fileExists(atPath: (data[0] as NSString).appendingPathComponent("images-idx3-ubyte")) {
            let digits = try LabelledDigits.load(folder: data[0])
            let (train, test) = digits.split()
            let layout = TokenLayout.image(height: LabelledDigits.grid.height, width: LabelledDigits.grid.width)
            return Corpus(set: try TrainingSet(layout: layout, inputs: train.map(digits.tokens), labels: train.map { digits.labels[$0] }),
                          test: (test.map(digits.tokens), test.map { digits.labels[$0] }),
                          describe: ["\(data[0]) (\(train.count) train / \(test.count) test digits, 7×7 built-in patch features)"])
        }
        let samples = try data.map { try SampleLoader.load($0, options: media.load) }
        let layout = samples[0].tokenSet.layout
        for (path, s) in zip(data, samples) where s.tokenSet.layout != layout || s.tokenSet.tokens.cols != samples[0].tokenSet.tokens.cols {
            throw DeFTError(path, "its tokens (\(s.tokenSet.tokens.rows)×\(s.tokenSet.tokens.cols)) do not share the first input's layout; train on inputs of one shape (use --grid)")
        }
        let labels = samples.allSatisfy { $0.label != nil } ? samples.map { $0.label! } : nil
        return Corpus(set: try TrainingSet(layout: layout, inputs: samples.map(\.tokenSet.tokens), labels: labels), test: nil,
                      describe: zip(data, samples).map { "\($0) (\($1.tokenSet.featureOrigin))" })
    }

    func run() throws {
        guard ratio > 0, ratio <= 1 else { throw DeFTError("--ratio", "the retention ratio must be in (0, 1], got \(ratio)") }
        guard steps > 0, batch > 0, lr > 0, semanticDim > 0, temperature > 0 else {
            throw DeFTError("deft train", "--steps, --batch, --lr, --semantic-dim and --temperature must be positive")
        }
        _ = try SizeLimits.positive(semanticDim, source: "--semantic-dim", what: "a width of", limit: SizeLimits.maxWidth)
        var options = TrainingOptions()
        options.ratio = ratio; options.temperature = temperature; options.batchSize = batch
        options.learningRate = lr; options.seed = seed
        try options.validate()
        if let gateCost, !(gateCost.isFinite && gateCost >= 0) { throw DeFTError("--gate-cost", "must be a finite number ≥ 0, got \(gateCost)") }
        let corpus = try corpus()
        let set = corpus.set
        let objectiveName = objective ?? (set.labels != nil ? .classify : .reconstruct)
        guard objectiveName != .none else { throw DeFTError("--objective", "training needs a task loss: classify or reconstruct") }
        if objectiveName == .classify, set.labels == nil {
            throw DeFTError("--objective", "classify needs labels (a digits folder, --labels, or bundles with a label)")
        }

        let frozen = try freeze.map { text -> [String] in
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let bad = parts.first(where: { !Self.freezable.contains($0) }) {
                throw DeFTError("--freeze", "'\(bad)' is not one of \(Self.freezable.joined(separator: ", "))")
            }
            return parts
        } ?? []
        guard !(resume && initial != nil) else { throw DeFTError("--init", "give either --resume or --init, not both") }

        var trainer: Trainer
        if resume || initial != nil {
            let source = initial ?? out
            let service = try ScoringService(weights: source, tokenDim: set.tokenDim, seed: seed, source: "the training data")
            var obj: any TaskObjective = ReconstructObjective()
            if objectiveName == .classify {
                let head = try (service.head as? ClassifyObjective) ?? Checkpoint.loadHead(beside: source)
                try head.check(labels: set.labels, source: Checkpoint.companion(source, ".head.safetensors"))
                obj = head
            }
            trainer = Trainer(model: service.model, objective: obj, data: set, options: options,
                              adam: resume ? try Checkpoint.loadOptimizer(beside: out, learningRate: lr) : nil)
        } else {
            let model = DeFTModel(untrained: DeFTConfig(tokenDim: set.tokenDim, semanticDim: semanticDim), seed: seed)
            let obj: any TaskObjective = objectiveName == .classify
                ? ClassifyObjective(classes: set.classes, semanticDim: semanticDim, seed: seed) : ReconstructObjective()
            trainer = Trainer(model: model, objective: obj, data: set, options: options)
        }
        trainer.frozen = frozen
        if let gateCost {
            guard objectiveName == .classify else { throw DeFTError("--gate-cost", "the gate trains with the classify objective (it needs per-token logits from the head)") }
            guard trainer.model.rtd != nil else { throw DeFTError("--gate-cost", "the weights have no RTD to restore tokens with") }
            trainer.gate = GateObjective(cost: gateCost)
        }
        let done = trainer.adam.step
        guard done < steps else { throw DeFTError(out, "already trained for \(done) steps; ask for more with --steps") }

        let logPath = log ?? Checkpoint.companion(out, ".csv")
        let csv = try CSVLog(path: logPath, append: resume, header: "step,task_loss,rtd_loss,batch_accuracy,seconds,gate_loss,restored_share")
        let progress = ProgressLine(total: steps, first: done)
        let start = Date()
        var last: StepReport? = nil
        for _ in done..<steps {
            let r = trainer.step()
            last = r
            let seconds = Date().timeIntervalSince(start)
            csv.write("\(r.step),\(r.taskLoss),\(r.rtdLoss.map { "\($0)" } ?? ""),\(r.accuracy.map { "\($0)" } ?? ""),\(String(format: "%.3f", seconds)),\(r.gateLoss.map { "\($0)" } ?? ""),\(r.restoredShare.map { "\($0)" } ?? "")")
            progress.update(step: r.step, text: Self.describe(r), elapsed: seconds, done: r.step - done)
        }
        progress.finish()

        var accuracy: Double? = nil
        if let test = corpus.test, let head = trainer.objective as? ClassifyObjective {
            let p = try ClassifierEvaluation.predictions(model: trainer.model, head: head, inputs: test.inputs,
                                                     layout: set.layout, ratio: ratio)
            accuracy = ClassifierEvaluation.accuracy(p, test.labels)
        }
        var sidecar = TrainingSidecar(
            objective: objectiveName.rawValue, data: corpus.describe, options: options, semanticDim: trainer.model.config.semanticDim,
            steps: trainer.adam.step, finalTaskLoss: last?.taskLoss ?? .nan, finalRTDLoss: last?.rtdLoss, testAccuracy: accuracy,
            date: ISO8601DateFormatter().string(from: Date()), command: CommandLine.arguments.joined(separator: " "))
        sidecar.initialWeights = initial
        sidecar.frozen = frozen.isEmpty ? nil : frozen
        sidecar.gateCost = gateCost
        try Checkpoint.save(trainer, to: out, sidecar: sidecar)
        var summary = "deft train: \(trainer.adam.step) steps of \(objectiveName.rawValue) → \(out)"
        if let last { summary += " · " + Self.describe(last) }
        if let accuracy { summary += String(format: " · held-out accuracy %.1f %% at ratio %.3f", accuracy * 100, ratio) }
        print(summary)
    }

    static func describe(_ r: StepReport) -> String {
        var s = String(format: "loss %.4f", r.taskLoss)
        if let l = r.rtdLoss { s += String(format: "  rtd %.4f", l) }
        if let a = r.accuracy { s += String(format: "  batch acc %.2f", a) }
        if let g = r.gateLoss, let share = r.restoredShare { s += String(format: "  gate %.4f restores %.0f %%", g, share * 100) }
        return s
    }
}

/// Appends lines to a CSV file, creating it (with its header) when needed.
final class CSVLog {
    private let handle: FileHandle
    init(path: String, append: Bool, header: String) throws {
        let exists = FileManager.default.fileExists(atPath: path)
        if !append || !exists {
            guard FileManager.default.createFile(atPath: path, contents: Data((header + "\n").utf8)) else {
                throw DeFTError(path, "cannot create the training log")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw DeFTError(path, "cannot open the training log") }
        h.seekToEndOfFile()
        handle = h
    }
    func write(_ line: String) { handle.write(Data((line + "\n").utf8)) }
    deinit { try? handle.close() }
}
