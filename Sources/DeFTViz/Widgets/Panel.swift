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
    let bottom = rect.y + rect.height
    /// One line, or several wrapped at word boundaries: nothing in the panel is cut.
    func line(_ text: String, _ fg: RGB = Theme.text, _ style: CellStyle = [], indent: Int = 2) {
        for (k, part) in wordWrap(text, width: w - (text.count > w ? indent : 0)).enumerated() {
            guard y < bottom else { return }
            f.put(k == 0 ? part : String(repeating: " ", count: indent) + part, x: x, y: y, fg: theme.c(fg), style: style, maxWidth: w)
            y += 1
        }
    }
    for row in rect.y..<(rect.y + rect.height) { f[rect.x, row] = Cell(theme.rule, fg: theme.c(Theme.muted)) }

    if let answers = scored.answers {
        for (text, colour) in answerLines(answers, selection: selection, label: scored.sample.label, classes: scored.sample.classNames) {
            line(text, colour, colour == Theme.accent ? .bold : [])
        }
        if rect.height >= 28 { y += 1 }
    }
    let kept = selection.isKept[i], rec = paint.isReconstructed[i]
    let status = kept ? "KEPT" : (rec ? "RESTORED" : "PRUNED")
    let statusColour = kept ? Theme.kept : (rec ? Theme.reconstructed : Theme.pruned)
    line("token \(i) \(status) · rank \(s.rank[i] + 1)/\(s.count)", statusColour, .bold)
    line(position(i, scored), Theme.muted)
    // Why this token: its score as the mixture of its three z-scored signals, against the k-th best.
    let b = s.mixture
    line("s = β_sal·z_sal + β_fb·z_fb + β_grp·z_grp", Theme.muted)
    line("= \(fmt(b[0], 2))·\(signed(s.saliencyZ[i])) + \(fmt(b[1], 2))·\(signed(s.feedbackZ[i])) + \(fmt(b[2], 2))·\(signed(s.groupZ[i]))")
    // The threshold is the k-th best s, or with a per-frame budget the worst kept s of this frame.
    let per = s.layout.tokensPerFrame, frame = i / max(per, 1)
    let threshold = state.perFrameBudget && s.layout.frames > 1
        ? selection.keptByScore.filter { $0 / per == frame }.map { s.combined[$0] }.min() ?? .infinity
        : s.combined[selection.keptByScore.last ?? 0]
    line("= \(fmt(s.combined[i])) \(kept ? "≥" : "<") \(fmt(threshold))\(state.perFrameBudget && s.layout.frames > 1 ? " in this frame" : "") → \(kept ? "KEPT" : "PRUNED")",
         statusColour, .bold)
    let feedback = s.hasFeedback ? "fb \(String(format: "%.1e", s.feedback[i])) (\(scored.feedbackSource))" : "fb none"
    line("raw sal \(fmt(s.saliency[i])) \(feedback) grp \(fmt(s.group[i]))", Theme.muted)
    if state.gateUnavailable == nil, selection.path == .hybrid || state.mode != .fast, let g = s.gate {
        line("gate p_rec \(fmt(g.probability[i], 2)) (uncertainty \(fmt(g.uncertainty[i], 2)), confidence \(fmt(g.confidence[i], 2)))")
        // A kept token is read as it is: only a pruned one has a reconstruction to judge.
        if !kept, let e = s.reconstructionError?[i] { line("reconstruction error \(fmt(e * 100, 1)) %") }
    }
    if rect.height >= 28 { y += 1 }

    // Colour bar with meaningful ends: the channel's own numbers (rank: best … worst).
    let values = paint.values
    line(state.channel.title, Theme.accent, .bold)
    if y < bottom {
        for c in 0..<w {
            let t = Float(c) / Float(max(w - 1, 1))
            f[x + c, y] = theme.colour ? Cell(" ", bg: ColorMap.viridis(t)) : Cell(ColorMap.shade(t, unicode: theme.unicode))
        }
        y += 1
    }
    let (lo, hi) = state.channel.ends(values, scores: s)
    line(lo + String(repeating: " ", count: max(1, w - lo.count - hi.count)) + hi, Theme.muted)

    // Histogram: kept part of each bin in the kept colour, pruned part in the pruned colour, in
    // every channel (the legend below applies whatever the channel); the threshold column marked.
    let histHeight = min(max(2, rect.height / 6), max(0, bottom - y - 4))
    if histHeight >= 2 {
        drawHistogram(&f, Rect(x: x, y: y, width: w, height: histHeight), values: values, isKept: selection.isKept,
                      threshold: state.channel == .combined && !state.perFrameBudget ? threshold : nil, theme: theme)
        y += histHeight
        drawLegend(&f, x: x, y: y, width: w, theme: theme, threshold: state.channel == .combined)
        y += 1
    }
    if state.channel != .combined && !state.overlay && y < bottom {
        line("the canvas shows kept/pruned; o overlays this channel", Theme.muted)
    }
    if rect.height >= 28 { y += 1 }
    if state.gateUnavailable != nil {
        line("path fast: hybrid/adaptive off (no gate, see m)", Theme.kept)
    } else {
        line("path \(selection.path.rawValue)", selection.path == .hybrid ? Theme.reconstructed : Theme.kept, .bold)
        line(state.mode == .adaptive ? s.adaptive.reason : "mode \(state.mode.rawValue)", Theme.muted)
        if selection.path == .hybrid { line("\(selection.reconstructed.count) of \(selection.pruned.count) pruned restored") }
    }
    // The language model's bill for what is kept: an estimate.
    if rect.height >= 28 { y += 1 }
    let cost = state.costEstimate(selection)
    line("\(state.cost.model.name) + \(state.cost.textTokens) text", Theme.accent, .bold)
    line("prefill ≈ \(CostEstimate.flops(cost.prefillFLOPs)) of \(CostEstimate.flops(cost.prefillFLOPsAllTokens)) (\(Int((cost.flopsRatio * 100).rounded())) %)")
    line("KV ≈ \(CostEstimate.bytes(cost.kvBytes)) of \(CostEstimate.bytes(cost.kvBytesAllTokens))")
}

/// "kept ■ pruned ■ threshold │" with each square in the colour it names.
func drawLegend(_ f: inout Frame, x: Int, y: Int, width: Int, theme: Theme, threshold: Bool, restored: Bool = false) {
    let square: Character = theme.unicode ? "■" : "#"
    var items: [(String, Character, RGB, CellStyle)] = [("kept", square, Theme.kept, .bold),
                                                        ("pruned", theme.colour ? theme.prunedMark : theme.bullet, Theme.pruned, .dim)]
    if restored { items.append(("restored", square, Theme.reconstructed, .underline)) }
    if threshold { items.append(("threshold", theme.rule, Theme.accent, [])) }
    var cx = x
    for (label, glyph, colour, style) in items {
        guard cx + label.count + 2 <= x + width else { break }
        cx = f.put(label + " ", x: cx, y: y, fg: theme.c(Theme.muted), maxWidth: x + width - cx)
        f[cx, y] = Cell(glyph, fg: theme.c(colour), style: theme.colour ? [] : style)
        cx += 2
    }
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
        for row in 0..<rect.height {
            let fill = min(8, max(0, Int(total.rounded()) - row * 8))
            let y = rect.y + rect.height - 1 - row
            // The bar's lower part is the kept share of the bin.
            let isKeptPart = Double(row) < keptShare * total / 8
            var cell = Cell(levels[fill], fg: theme.c(isKeptPart ? Theme.kept : Theme.pruned),
                            style: theme.colour ? [] : (isKeptPart ? .bold : .dim))
            if b == thresholdBin && fill == 0 { cell = Cell(theme.rule, fg: theme.c(Theme.accent)) }
            f[rect.x + b, y] = cell
        }
    }
}
