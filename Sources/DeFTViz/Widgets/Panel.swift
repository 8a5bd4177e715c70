import DeFT
import DeFTEval
import DeFTMedia
import Foundation

private func fmt(_ v: Float, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }
private func signed(_ v: Float) -> String { String(format: "%+.2f", v) }

/// The side panel: the inspector for the cursor token, the colour bar, the histogram with the
/// threshold, and the path the mode took.
func drawPanel(_ f: inout Frame, _ rect: Rect, state: AppState, scored: ScoredSample, selection: Selection,
               paint: TokenPaint, theme: Theme) {
    let s = scored.scores, i = min(max(state.cursor, 0), s.count - 1)
    let w = rect.width - 1, x = rect.x + 1
    var y = rect.y
    func line(_ text: String, _ fg: RGB = Theme.text, _ style: CellStyle = []) {
        guard y < rect.y + rect.height else { return }
        f.put(text, x: x, y: y, fg: theme.c(fg), style: style, maxWidth: w)
        y += 1
    }
    for row in rect.y..<(rect.y + rect.height) { f[rect.x, row] = Cell(theme.rule, fg: theme.c(Theme.muted)) }

    let kept = selection.isKept[i], rec = paint.isReconstructed[i]
    let status = kept ? "KEPT" : (rec ? "RECONSTRUCTED" : "PRUNED")
    line("token \(i)  \(status)", kept ? Theme.kept : (rec ? Theme.reconstructed : Theme.pruned), .bold)
    line(position(i, scored), Theme.muted)
    line("rank \(s.rank[i] + 1) of \(s.count)  s \(fmt(s.combined[i]))")
    line("saliency \(fmt(s.saliency[i]))  z \(signed(s.saliencyZ[i]))")
    line(s.hasFeedback ? "feedback \(String(format: "%.2e", s.feedback[i]))  z \(signed(s.feedbackZ[i]))" : "feedback none (no task loss)", s.hasFeedback ? Theme.text : Theme.muted)
    if s.hasFeedback { line("  ∂L/∂z: \(scored.feedbackSource)", Theme.muted) }
    line("group    \(fmt(s.group[i]))  z \(signed(s.groupZ[i]))")
    line("β sal \(fmt(s.mixture[0], 2)) fb \(fmt(s.mixture[1], 2)) grp \(fmt(s.mixture[2], 2))", Theme.muted)
    if selection.path == .hybrid || state.mode != .fast {
        if let g = s.gate {
            line("gate p \(fmt(g.probability[i], 2)) u \(fmt(g.uncertainty[i], 2)) c \(fmt(g.confidence[i], 2))")
        } else {
            line("gate: no logits, all pruned return", Theme.muted)
        }
        if let e = s.reconstructionError?[i] { line("reconstruction error \(fmt(e * 100, 1)) %") }
    }
    y += 1

    // Colour bar with numeric ends.
    let values = paint.values
    line(state.channel.title, Theme.accent, .bold)
    if y < rect.y + rect.height {
        for c in 0..<w {
            let t = Float(c) / Float(max(w - 1, 1))
            f[x + c, y] = theme.colour ? Cell(" ", bg: ColorMap.viridis(t)) : Cell(ColorMap.shade(t, unicode: theme.unicode))
        }
        y += 1
    }
    let lo = fmt(values.low), hi = fmt(values.high)
    line(lo + String(repeating: " ", count: max(1, w - lo.count - hi.count)) + hi, Theme.muted)

    // Histogram: kept part of each bin bright, pruned part dim; the threshold column marked.
    let histHeight = min(6, max(0, rect.y + rect.height - y - 3))
    if histHeight >= 2 {
        drawHistogram(&f, Rect(x: x, y: y, width: w, height: histHeight), values: values, isKept: selection.isKept,
                      threshold: state.channel == .combined ? s.combined[selection.keptByScore.last ?? 0] : nil, theme: theme)
        y += histHeight
        line("kept ■ pruned ■  threshold │".replacingOccurrences(of: "■", with: theme.unicode ? "■" : "#").replacingOccurrences(of: "│", with: String(theme.rule)), Theme.muted)
    }
    y += 1
    let decision = state.mode == .adaptive ? s.adaptive.reason : "mode \(state.mode.rawValue)"
    line("path \(selection.path.rawValue)", selection.path == .hybrid ? Theme.reconstructed : Theme.kept, .bold)
    line(decision, Theme.muted)
    if selection.path == .hybrid { line("\(selection.reconstructed.count) of \(selection.pruned.count) pruned return") }
    // The language model's bill for what is kept: an estimate.
    y += 1
    let cost = state.costEstimate(selection)
    line("\(state.cost.model.name) + \(state.cost.textTokens) text", Theme.accent, .bold)
    line("prefill ≈ \(CostEstimate.flops(cost.prefillFLOPs)) (\(Int((cost.flopsRatio * 100).rounded())) %)")
    line("KV ≈ \(CostEstimate.bytes(cost.kvBytes)) of \(CostEstimate.bytes(cost.kvBytesAllTokens))")
}

private func position(_ i: Int, _ scored: ScoredSample) -> String {
    let l = scored.scores.layout
    let (t, r, c) = l.position(of: i)
    switch l.modality {
    case .image: return "patch row \(r), col \(c) of \(l.height)×\(l.width)"
    case .video: return "frame \(t + 1)/\(l.frames), row \(r), col \(c)"
    case .text:
        if case .text(let doc)? = scored.sample.media, doc.tokens.indices.contains(i) {
            return "word \(i + 1)/\(l.count) “\(TextPlacement.surface(doc, i))”"
        }
        return "token \(i + 1) of \(l.count)"
    }
}

func drawHistogram(_ f: inout Frame, _ rect: Rect, values: ChannelValues, isKept: [Bool], threshold: Float?, theme: Theme) {
    let bins = max(rect.width, 1)
    var kept = [Int](repeating: 0, count: bins), pruned = kept
    for i in values.raw.indices {
        let b = min(bins - 1, Int(values.unit(i) * Float(bins)))
        if isKept[i] { kept[b] += 1 } else { pruned[b] += 1 }
    }
    let peak = max(1, zip(kept, pruned).map { $0 + $1 }.max() ?? 1)
    let levels: [Character] = theme.unicode ? [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : [" ", ".", ".", ":", ":", "|", "|", "#", "#"]
    let thresholdBin = threshold.map { values.high > values.low ? min(bins - 1, Int((($0 - values.low) / (values.high - values.low)) * Float(bins))) : 0 }
    for b in 0..<bins {
        let total = Double(kept[b] + pruned[b]) / Double(peak) * Double(rect.height * 8)
        let keptShare = kept[b] + pruned[b] > 0 ? Double(kept[b]) / Double(kept[b] + pruned[b]) : 0
        let colour = ColorMap.viridis((Float(b) + 0.5) / Float(bins))
        for row in 0..<rect.height {
            let fill = min(8, max(0, Int(total.rounded()) - row * 8))
            let y = rect.y + rect.height - 1 - row
            // The bar's lower part is the kept share of the bin.
            let isKeptPart = Double(row) < keptShare * total / 8
            var cell = Cell(levels[fill], fg: theme.c(isKeptPart ? colour : colour.pruned),
                            style: theme.colour ? [] : (isKeptPart ? .bold : .dim))
            if b == thresholdBin && fill == 0 { cell = Cell(theme.rule, fg: theme.c(Theme.accent)) }
            f[rect.x + b, y] = cell
        }
    }
}
