import DeFT
import Foundation

/// What `deft score` reports for a batch at one ratio and mode.
struct ScoreReport {
    let rows: [TokenScores]
    let ratio: Double
    let mode: InferenceMode
    let weights: String
    /// The task objective's loss with every token and with only the kept ones (hard mask).
    var objective: ObjectiveLoss? = nil

    struct ObjectiveLoss { let name: String; let lossAllTokens: Double; let lossKeptTokens: Double }

    /// How approximate text neighbours were found and their recall@k against exact, on a sample of tokens.
    var neighbours: NeighbourReport? = nil
    struct NeighbourReport { let search: String; let recall: Double; let sampled: Int }

    init(rows: [TokenScores], ratio: Double, mode: InferenceMode, weights: String) {
        self.rows = rows; self.ratio = ratio; self.mode = mode; self.weights = weights
    }

    var selections: [Selection] { rows.map { $0.selection(ratio: ratio, mode: mode) } }

    /// The JSON object of issue 2 (keys sorted so reports diff cleanly).
    func json() throws -> Data {
        let sels = selections
        let probs: [[Double]] = zip(rows, sels).map { row, sel in
            sel.pruned.map { i in Double(row.gate?.probability[i] ?? 1) }
        }
        let paths: [[String: Any]] = zip(rows, sels).map { row, sel in
            var p: [String: Any] = ["path": sel.path.rawValue, "reason": mode == .adaptive ? row.adaptive.reason : "mode \(mode.rawValue)"]
            if let u = row.adaptive.meanUncertainty { p["mean_uncertainty"] = Double(u) }
            if let c = row.adaptive.meanConfidence { p["mean_confidence"] = Double(c) }
            return p
        }
        var obj: [String: Any] = [
            "scores": rows.map { $0.combined.map(Double.init) },
            "s_sem": rows.map { $0.saliency.map(Double.init) },
            "s_group": rows.map { $0.group.map(Double.init) },
            "s_fb": rows.map { $0.feedback.map(Double.init) },
            "mixture_weights": (rows.first?.mixture ?? []).map { Double($0) },
            "retained_indices": sels.map(\.keptByScore),
            "kept": sels.map(\.kept),
            "pruned_indices": sels.map(\.pruned),
            "reconstruct_probs": probs,
            "reconstructed_indices": sels.map(\.reconstructed),
            "selection_entropy": rows.map { Double($0.selectionEntropy) },
            "k": sels.first?.k ?? 0,
            "ratio": ratio,
            "mode": mode.rawValue,
            "path": paths,
            "weights": weights,
        ]
        if let o = objective {
            obj["objective"] = ["name": o.name, "loss_all_tokens": o.lossAllTokens, "loss_kept_tokens": o.lossKeptTokens]
        }
        if let nb = neighbours {
            obj["neighbours"] = ["search": nb.search, "recall_at_k": nb.recall, "recall_sampled_tokens": nb.sampled]
        }
        return try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
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
        if let nb = neighbours {
            lines.append(String(format: "text neighbours: %@; recall@5 against exact on %d sampled tokens: %.3f", nb.search, nb.sampled, nb.recall))
        }
        lines.append("tokens: \(tokensLabel); weights: \(weights)")
        return lines.joined(separator: "\n")
    }
}
