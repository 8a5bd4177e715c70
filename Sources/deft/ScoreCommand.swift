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

    @OptionGroup var inputs: InputOptions

    @Option(help: ArgumentHelp("DeFT weights (the reference's state_dict keys).", valueName: "W.safetensors"))
    var weights: String?

    @Option(help: ArgumentHelp("A LLaVA-style config.json with deft_* fields.", valueName: "config.json"))
    var config: String?

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

    @Option(help: "Text neighbours: exact, approximate (faiss IVF, recall measured and reported) or auto (approximate above \(NeighbourSearch.autoThreshold) tokens).")
    var neighbours: NeighbourSearch = .auto

    @Option(help: "Seed for untrained weights (used only without --weights).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Write the JSON report to PATH, or - for stdout.", valueName: "PATH|-"))
    var json: String?

    func run() throws {
        let src = try inputs.source()
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

        let rows = try NeighbourSearch.$current.withValue(neighbours) {
            try DeFTPipeline.score(model, tokens: src.tokens, batch: batch, layout: layout, feedback: feedback, logits: logitRows)
        }
        var report = ScoreReport(rows: rows, ratio: r, mode: mode, weights: model.origin.description)
        if layout.modality == .text, neighbours.isApproximate(tokens: n), let found = rows.first?.semanticNeighbours {
            let recall = ApproximateNeighbours.recall(neighbours: found, z: z ?? DeFTPipeline.semantic(model, src.tokens), batch: batch, tokens: n)
            report.neighbours = .init(search: "approximate (faiss IVF, \(ApproximateNeighbours.defaultProbes) of \(ApproximateNeighbours.cells(tokens: n)) cells per token)",
                                      recall: recall, sampled: min(256, n))
        }
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
}

extension Modality: ExpressibleByArgument {}
extension InferenceMode: ExpressibleByArgument {}
extension NeighbourSearch: ExpressibleByArgument {}
