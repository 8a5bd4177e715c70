import ArgumentParser
import DeFT
import DeFTMedia
import DeFTTrain
import Foundation

/// `deft score`: the scriptable face of the engine.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a token set with DeFT and report what is kept, pruned and reconstructed.",
        discussion: """
        Tokens are [N,d] (one input) or [B,N,d] (a batch). For video, N = frames × H × W with --grid HxW per
        frame. --json writes one object; per-input fields are nested per batch row even when B = 1:
        scores, s_sem, s_group, s_fb (B×N), retained_indices (B×k, descending score), kept (B×k, position
        order), pruned_indices, reconstruct_probs (aligned with pruned_indices; 1 without logits),
        reconstructed_indices (the gate's choice; empty on the fast path), selection_entropy (B), path (B);
        and mixture_weights, k, mode, weights.
        """
    )

    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file, a text file or a bundle folder (instead of --tokens).", valueName: "INPUT"))
    var input: String?

    @Option(help: ArgumentHelp("Token features: FILE.npy or FILE.safetensors[:KEY].", valueName: "PATH[:KEY]"))
    var tokens: String?

    @Option(help: ArgumentHelp("DeFT weights (the reference's state_dict keys).", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: ArgumentHelp("A LLaVA-style config.json with deft_* fields.", valueName: "config.json"))
    var config: String?

    @Option(help: "image, video or text (required with --tokens).")
    var modality: Modality?

    @Option(help: "Frames to take from a video input, evenly spaced (default 8).")
    var frames: Int?

    @Option(help: ArgumentHelp("Patch grid per frame (image: optional when N is a square; video: required).", valueName: "HxW"))
    var grid: String?

    @Option(help: "Retention ratio in (0, 1] (default: the config's, else 0.482).")
    var ratio: Double?

    @Option(help: "fast, hybrid or adaptive.")
    var mode: InferenceMode = .fast

    @Option(help: ArgumentHelp("∂L/∂z from your model: [N,d′] or [B,N,d′].", valueName: "PATH[:KEY]"))
    var grad: String?

    @Option(help: ArgumentHelp("Per-token logits for the reconstruction gate: [N,C] or [B,N,C].", valueName: "PATH[:KEY]"))
    var logits: String?

    @Option(help: "Fill the feedback signal from a task objective: classify (needs trained weights with a head) or reconstruct.")
    var objective: Train.ObjectiveName?

    @Option(help: "The true class for --objective classify (default: the head's own prediction).")
    var label: Int?

    @Option(name: .customLong("alpha-var"), help: "Variance penalty of the feedback signal (default 0.1).")
    var alphaVar: Float?

    @Option(help: "Seed for untrained weights (used only without --weights).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Write the JSON report to PATH, or - for stdout.", valueName: "PATH|-"))
    var json: String?

    /// The tokens to score: from --tokens, or encoded from a media INPUT.
    struct Source {
        let tokens: Matrix
        let batch: Int
        let layout: TokenLayout
        let label: String
        var sample: LoadedSample?
    }

    func source() throws -> Source {
        switch (input, tokens) {
        case (nil, nil): throw DeFTError("", "give an INPUT (image, frames, video, text, bundle) or --tokens PATH[:KEY]")
        case (.some, .some): throw DeFTError("", "give either an INPUT or --tokens, not both")
        case (let input?, nil):
            let grid = try GridOption.parse(grid)
            let sample = try SampleLoader.load(input, options: LoadOptions(grid: grid, frames: frames))
            return Source(tokens: sample.tokenSet.tokens, batch: 1, layout: sample.tokenSet.layout,
                          label: "\(input) (\(sample.tokenSet.featureOrigin))", sample: sample)
        case (nil, let tokens?):
            guard let modality else { throw DeFTError("--modality", "--tokens needs --modality image|video|text") }
            let ref = ArrayReference(tokens)
            let raw = try ref.load()
            guard raw.shape.count == 2 || raw.shape.count == 3, raw.shape.allSatisfy({ $0 > 0 }) else {
                throw DeFTError(ref.label, "tokens have shape \(raw.shape), expected [N,d] or [B,N,d]")
            }
            let n = raw.shape[raw.shape.count - 2]
            let layout = try Self.layout(modality: modality, grid: grid, tokens: n, source: ref.label)
            return Source(tokens: raw.asMatrix(), batch: raw.shape.count == 3 ? raw.shape[0] : 1, layout: layout, label: ref.label)
        }
    }

    func run() throws {
        let src = try source()
        let batch = src.batch, n = src.layout.count, d = src.tokens.cols, layout = src.layout
        let weights = self.weights ?? src.sample?.weightsPath
        var model: DeFTModel
        var llava: LLaVAConfig? = nil
        if let config { llava = try LLaVAConfig.load(path: config) }
        if let weights {
            model = try DeFTModel(safetensors: weights)
            guard model.config.tokenDim == d else {
                throw DeFTError(src.label, "tokens have width d=\(d) but \(weights) expects d=\(model.config.tokenDim)")
            }
            if let r = llava?.retentionRatio { model.config.retentionRatio = r }
            if let a = llava?.alphaVar { model.config.alphaVar = Float(a) }
        } else {
            var c = DeFTConfig(tokenDim: d)
            llava?.apply(to: &c)
            c.tokenDim = d   // the data decides d (spec §5.6)
            model = DeFTModel(untrained: c, seed: seed)
        }
        if let ratio { model.config.retentionRatio = ratio }
        if let alphaVar { model.config.alphaVar = alphaVar }
        let r = model.config.retentionRatio
        guard r > 0, r <= 1 else { throw DeFTError("--ratio", "the retention ratio must be in (0, 1], got \(r)") }

        // Feedback: an explicit --grad wins, then the task objective, then a bundle's gradient.
        let task = try objective.map { try taskObjective($0, weights: weights) }
        let labels = label.map { [Int](repeating: $0, count: batch) } ?? src.sample?.label.map { [Int](repeating: $0, count: batch) }
        if let label, let head = task as? ClassifyObjective, label < 0 || label >= head.classes {
            throw DeFTError("--label", "label \(label) is outside the head's \(head.classes) classes")
        }
        var objectiveLoss: Double? = nil
        var feedback = try grad.map {
            try ArrayReference($0).loadRows(batch: batch, tokens: n, width: model.config.semanticDim, what: "the gradient ∂L/∂z")
        }
        // z once for the objective's two evaluations (all tokens, then the kept ones).
        let z = task.map { _ in DeFTPipeline.semantic(model, src.tokens) }
        if let task, let z {
            let g = TaskFeedback.gradient(task, z: z, tokens: src.tokens, batch: batch, labels: labels)
            objectiveLoss = g.loss
            if feedback == nil { feedback = g.gradient }
        }
        if feedback == nil { feedback = src.sample?.gradient }
        let logitRows = try logits.map { try ArrayReference($0).loadRows(batch: batch, tokens: n, width: nil, what: "the logits") }
            ?? src.sample?.logits

        let rows = try DeFTPipeline.score(model, tokens: src.tokens, batch: batch, layout: layout,
                                          feedback: feedback, logits: logitRows)
        var report = ScoreReport(rows: rows, ratio: r, mode: mode, weights: model.origin.description)
        if let task, let z, let objectiveLoss {
            let mask = report.selections.flatMap { sel in sel.isKept.map { $0 ? Float(1) : 0 } }
            let kept = task.evaluate(z: z, tokens: src.tokens, mask: mask, batch: batch, labels: labels).loss
            report.objective = .init(name: task.name, lossAllTokens: objectiveLoss, lossKeptTokens: kept)
        }
        if let json {
            let data = try report.json()
            if json == "-" {
                FileHandle.standardOutput.write(data)
                FileHandle.standardOutput.write(Data("\n".utf8))
            } else {
                do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                    throw DeFTError(json, "cannot write the report: \(error.localizedDescription)")
                }
            }
        }
        if json != "-" { print(report.summary(tokensLabel: src.label, layout: layout)) }
    }

    func taskObjective(_ name: Train.ObjectiveName, weights: String?) throws -> any TaskObjective {
        switch name {
        case .reconstruct: return ReconstructObjective()
        case .classify:
            guard let weights else { throw DeFTError("--objective", "classify needs --weights trained by deft train --objective classify") }
            return try Checkpoint.loadHead(beside: weights)
        }
    }

    /// The layout named by --modality/--grid for N tokens, or an error saying how they differ.
    static func layout(modality: Modality, grid: String?, tokens n: Int, source: String) throws -> TokenLayout {
        let hw = try GridOption.parse(grid).map { ($0.height, $0.width) }
        switch modality {
        case .text:
            return .text(count: n)
        case .image:
            let (h, w) = hw ?? {
                let s = Int(Double(n).squareRoot().rounded())
                return s * s == n ? (s, s) : (0, 0)
            }()
            guard h > 0 else { throw DeFTError(source, "\(n) tokens are not a square grid; give --grid HxW") }
            guard h * w == n else { throw DeFTError(source, "\(n) tokens do not fill a \(h)×\(w) grid (\(h * w) patches)") }
            return .image(height: h, width: w)
        case .video:
            guard let (h, w) = hw else { throw DeFTError("--grid", "video needs --grid HxW (patches per frame)") }
            guard n % (h * w) == 0 else {
                throw DeFTError(source, "\(n) tokens are not whole frames of \(h)×\(w) = \(h * w) patches")
            }
            return .video(frames: n / (h * w), height: h, width: w)
        }
    }
}

extension Modality: ExpressibleByArgument {}
extension InferenceMode: ExpressibleByArgument {}
