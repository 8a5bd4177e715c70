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

    @Option(help: "Retention ratio in (0, 1] (default: the config's, else the paper's 0.482).")
    var ratio: Double?

    @Option(help: "fast, hybrid or adaptive.")
    var mode: InferenceMode = .fast

    @Option(help: ArgumentHelp("∂L/∂z from your model: [N,d′] or [B,N,d′].", valueName: "PATH[:KEY]"))
    var grad: String?

    @Option(help: ArgumentHelp("Per-token logits for the reconstruction gate: [N,C] or [B,N,C].", valueName: "PATH[:KEY]"))
    var logits: String?

    @Option(help: "Feedback from a task objective: classify (needs trained weights with a head), reconstruct, or none (default: the policy in the README).")
    var objective: ObjectiveName?

    @Option(help: "A true class for the classify objective (default: the head's own prediction; never taken from the data).")
    var label: Int?

    @Option(name: .customLong("alpha-var"), help: "Variance penalty of the feedback signal (default 0.1).")
    var alphaVar: Float?

    @Option(help: NeighbourSearch.help)
    var neighbours: NeighbourSearch = .auto

    @Option(help: "Seed for untrained weights (used only without --weights).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Write the JSON report to PATH, or - for stdout.", valueName: "PATH|-"))
    var json: String?

    func validate() throws {
        if let ratio, !(ratio > 0 && ratio <= 1) {
            throw ValidationError(RatioOption.problem(ratio))
        }
    }

    func run() throws {
        let src = try inputs.source()
        let batch = src.batch, n = src.layout.count
        let llava = try config.map { try LLaVAConfig.load(path: $0) }
        var untrained: DeFTConfig? = nil
        if let llava { var c = DeFTConfig(tokenDim: src.tokens.cols); llava.apply(to: &c); untrained = c }
        var service = try ScoringService(weights: weights ?? src.sample?.weightsPath, tokenDim: src.tokens.cols, seed: seed,
                                         source: src.label, untrained: untrained)
        if let r = llava?.retentionRatio { service.model.config.retentionRatio = r }
        if let a = llava?.alphaVar { service.model.config.alphaVar = Float(a) }
        if let alphaVar { service.model.config.alphaVar = alphaVar }
        let r = ratio ?? service.model.config.retentionRatio
        guard r > 0, r <= 1 else { throw DeFTError(config ?? "--ratio", "the retention ratio must be in (0, 1], got \(r)") }

        let semanticDim = service.model.config.semanticDim
        let request = FeedbackRequest(
            gradient: try grad.map { (try ArrayReference($0).loadRows(batch: batch, tokens: n, width: semanticDim, what: "the gradient ∂L/∂z"), $0) },
            objective: objective, label: label)
        let logitRows = try logits.map { try ArrayReference($0).loadRows(batch: batch, tokens: n, width: nil, what: "the logits") }
            ?? src.sample?.logits
        let outcome = try service.score(tokens: src.tokens, batch: batch, layout: src.layout, feedback: request,
                                        bundleGradient: src.sample?.gradient, logits: logitRows, reconstruction: mode != .fast,
                                        neighbours: neighbours)
        var report = ScoreReport(rows: outcome.rows, ratio: r, mode: mode, weights: service.model.origin.description,
                                 feedback: outcome.rows.first?.hasFeedback == true ? outcome.feedbackSource.description : "none")
        let search = outcome.forward.neighbourSearch
        if search == .approximate, let found = outcome.rows.first?.semanticNeighbours {
            let recall = ApproximateNeighbours.recall(neighbours: found, z: outcome.forward.z, batch: batch, tokens: n)
            report.neighbours = .init(search: "approximate (faiss IVF, \(ApproximateNeighbours.defaultProbes) of \(ApproximateNeighbours.cells(tokens: n)) cells per token)",
                                      recall: recall, sampled: min(256, n))
        } else if let note = search?.note {
            FileHandle.standardError.write(Data("deft: note: \(note)\n".utf8))
            report.neighbours = .init(search: "exact: \(note)", recall: nil, sampled: nil)
        }
        if let task = outcome.objective, let loss = outcome.objectiveLoss {
            let mask = report.selections.flatMap { sel in sel.isKept.map { $0 ? Float(1) : 0 } }
            let kept = task.evaluate(z: outcome.forward.z, tokens: src.tokens, mask: mask, batch: batch, labels: outcome.labels).loss
            report.objective = .init(name: task.name, lossAllTokens: loss, lossKeptTokens: kept)
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
        if json != "-" { print(report.summary(tokensLabel: src.label, layout: src.layout)) }
    }
}

