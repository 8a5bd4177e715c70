import DeFT
import Foundation

/// What `deft score` reports for a batch at one ratio and mode.
struct ScoreReport {
    let rows: [TokenScores]
    let ratio: Double
    let mode: InferenceMode
    let weights: String
    /// Where ∂L/∂z came from (`FeedbackSource`), or "none".
    let feedback: String
    /// The task objective's loss with every token and with only the kept ones (hard mask).
    var objective: ObjectiveLoss? = nil

    struct ObjectiveLoss { let name: String; let lossAllTokens: Double; let lossKeptTokens: Double }

    /// How approximate text neighbours were found and their recall@k against exact, on a sample of
    /// tokens; or, without recall, that the approximate search was asked for and could not be used.
    var neighbours: NeighbourReport? = nil
    struct NeighbourReport: Encodable {
        let search: String, recall: Double?, sampled: Int?
        enum CodingKeys: String, CodingKey { case search, recall = "recall_at_k", sampled = "recall_sampled_tokens" }
    }

    init(rows: [TokenScores], ratio: Double, mode: InferenceMode, weights: String, feedback: String) {
        self.rows = rows; self.ratio = ratio; self.mode = mode; self.weights = weights; self.feedback = feedback
    }

    var selections: [Selection] { rows.map { $0.selection(ratio: ratio, mode: mode) } }

    /// The JSON form: per-input fields nested per batch row; keys sorted so reports diff cleanly.
    struct JSON: Encodable {
        struct Path: Encodable {
            let path: String, reason: String
            let meanUncertainty: Float?, meanConfidence: Float?
            enum CodingKeys: String, CodingKey {
                case path, reason, meanUncertainty = "mean_uncertainty", meanConfidence = "mean_confidence"
            }
        }
        struct Objective: Encodable {
            let name: String, lossAllTokens: Double, lossKeptTokens: Double
            enum CodingKeys: String, CodingKey { case name, lossAllTokens = "loss_all_tokens", lossKeptTokens = "loss_kept_tokens" }
        }
        let scores: [[Float]], sSem: [[Float]], sGroup: [[Float]], sFb: [[Float]]
        let mixtureWeights: [Float]
        let retainedIndices: [[Int]], kept: [[Int]], prunedIndices: [[Int]]
        let reconstructProbs: [[Float]], reconstructedIndices: [[Int]]
        let selectionEntropy: [Float]
        let k: Int, ratio: Double, mode: String
        let path: [Path]
        let weights: String
        let feedback: String
        let objective: Objective?
        let neighbours: NeighbourReport?
        enum CodingKeys: String, CodingKey {
            case scores, sSem = "s_sem", sGroup = "s_group", sFb = "s_fb", mixtureWeights = "mixture_weights"
            case retainedIndices = "retained_indices", kept, prunedIndices = "pruned_indices"
            case reconstructProbs = "reconstruct_probs", reconstructedIndices = "reconstructed_indices"
            case selectionEntropy = "selection_entropy", k, ratio, mode, path, weights, feedback, objective, neighbours
        }
    }

    func json() throws -> Data {
        let sels = selections
        let report = JSON(
            scores: rows.map(\.combined), sSem: rows.map(\.saliency), sGroup: rows.map(\.group), sFb: rows.map(\.feedback),
            mixtureWeights: rows.first?.mixture ?? [],
            retainedIndices: sels.map(\.keptByScore), kept: sels.map(\.kept), prunedIndices: sels.map(\.pruned),
            reconstructProbs: zip(rows, sels).map { row, sel in sel.pruned.map { row.gate?.probability[$0] ?? 1 } },
            reconstructedIndices: sels.map(\.reconstructed),
            selectionEntropy: rows.map(\.selectionEntropy),
            k: sels.first?.k ?? 0, ratio: ratio, mode: mode.rawValue,
            path: zip(rows, sels).map { row, sel in
                JSON.Path(path: sel.path.rawValue, reason: mode == .adaptive ? row.adaptive.reason : "mode \(mode.rawValue)",
                          meanUncertainty: row.adaptive.meanUncertainty, meanConfidence: row.adaptive.meanConfidence)
            },
            weights: weights, feedback: feedback,
            objective: objective.map { JSON.Objective(name: $0.name, lossAllTokens: $0.lossAllTokens, lossKeptTokens: $0.lossKeptTokens) },
            neighbours: neighbours)
        return try ReportJSON.encode(report, source: "deft score --json", pretty: false)
    }

    /// A few human lines: what was kept, under which weights.
    func summary(tokensLabel: String, layout: TokenLayout) -> String {
        var lines: [String] = []
        let n = layout.count
        for (b, (row, sel)) in zip(rows, selections).enumerated() {
            let head = rows.count > 1 ? "input \(b): " : ""
            lines.append("\(head)keep \(String(format: "%.1f", ratio * 100)) % = \(sel.k) of \(n) \(layout.modality.rawValue) tokens, mode \(mode.rawValue) (path \(sel.path.rawValue)), selection entropy \(String(format: "%.3f", row.selectionEntropy))")
            if mode == .adaptive { lines.append("  adaptive: \(row.adaptive.reason)") }
            if sel.path == .hybrid { lines.append("  reconstructed \(sel.reconstructed.count) of \(sel.pruned.count) pruned") }
            lines.append("  kept: \(sel.kept.map(String.init).joined(separator: " "))")
        }
        if let o = objective {
            lines.append(String(format: "objective %@: loss %.4f with every token, %.4f with the kept ones; s_fb from its gradient",
                                o.name, o.lossAllTokens, o.lossKeptTokens))
        }
        if let nb = neighbours, let recall = nb.recall, let sampled = nb.sampled {
            lines.append(String(format: "text neighbours: %@; recall@5 against exact on %d sampled tokens: %.3f", nb.search, sampled, recall))
        } else if let nb = neighbours {
            lines.append("text neighbours: \(nb.search)")
        }
        lines.append("tokens: \(tokensLabel.terminalSafe); weights: \(weights.terminalSafe); feedback: \(feedback)")   // paths may come from a glob
        return lines.joined(separator: "\n")
    }
}
