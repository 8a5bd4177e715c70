import ArgumentParser
import DeFT
import DeFTEval
import Foundation

/// `deft eval cost`: prefill FLOPs and KV cache of a language model reading the kept tokens.
struct EvalCost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Estimate the prefill FLOPs and KV cache of a language model that reads only the kept tokens.",
        discussion: """
        Per layer C(n) = 4·n·d² + 2·n²·d + 3·n·d·m (SwiGLU; 2·n·d·m for a plain FFN), multiply-adds counted once as
        in the FastV/VScan tables; KV = 2 · layers · kv_heads · head_dim · bytes per token. n = text tokens + kept
        visual tokens. An estimate of the language model's share, not a measurement.
        """
    )

    @Option(help: ArgumentHelp("llava-1.5-7b, llava-1.5-13b, or a Hugging Face config.json.", valueName: "MODEL"))
    var llm = "llava-1.5-7b"

    @Option(help: "Visual tokens before pruning (LLaVA-1.5: 576).")
    var visual = 576

    @Option(name: .customLong("text-tokens"), help: "Prompt tokens beside the visual ones.")
    var textTokens = 64

    @Option(help: "Retention ratios, comma-separated.")
    var ratios = RatioList([0.1, 0.25, DeFTConfig.paperRatio, 0.75, 1])

    @Option(name: .customLong("prune-layer"), help: "Layer before which tokens are pruned (0: before the model; FastV: 2 or 3).")
    var pruneLayer = 0

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard visual > 0 else { throw DeFTError("--visual", "needs at least one visual token, got \(visual)") }
        guard textTokens >= 0 else { throw DeFTError("--text-tokens", "cannot be negative, got \(textTokens)") }
        for (option, n) in [("--visual", visual), ("--text-tokens", textTokens)] where n > SizeLimits.maxCostTokens {
            throw DeFTError(option, "\(n) tokens is more than deft's limit of \(SizeLimits.maxCostTokens)")
        }
        let model = try LanguageModel.named(llm)
        guard pruneLayer >= 0, pruneLayer <= model.layers else {
            throw DeFTError("--prune-layer", "must be in 0…\(model.layers) for \(model.name), got \(pruneLayer)")
        }
        let cost = CostModel(model: model, textTokens: textTokens, pruneLayer: pruneLayer)
        let estimates = ratios.values.map { cost.estimate(visual: visual, kept: TokenScores.keepCount(ratio: $0, tokens: visual)) }
        if json { try printJSON(estimates); return }
        var head = "\(model.name): \(model.layers) layers, d \(model.hidden), FFN \(model.intermediate)\(model.gatedFFN ? " (SwiGLU)" : ""), "
        head += "\(model.kvHeads) KV heads, \(model.bytesPerValue)-byte values; \(textTokens) text tokens"
        if pruneLayer > 0 { head += "; pruned after layer \(pruneLayer)" }
        if let w = cost.weightBytes { head += "; weights ≈ \(CostEstimate.bytes(w))" }
        print(head)
        var rows = [["keep", "visual", "prefill", "of all", "KV cache", "speed-up ≤"]]
        for (r, e) in zip(ratios.values, estimates) {
            rows.append([percent(r), "\(e.keptTokens)/\(e.visualTokens)", CostEstimate.flops(e.prefillFLOPs), percent(e.flopsRatio),
                         CostEstimate.bytes(e.kvBytes), String(format: "%.2f×", 1 / e.flopsRatio)])
        }
        print(Table.render(rows))
        print("estimate: the language model's prefill only (no vision encoder, no DeFT module, no decoding)")
    }
}
