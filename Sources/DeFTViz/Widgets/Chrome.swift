import DeFT
import DeFTEval
import Foundation

/// The status line: what is shown, at which ratio, under which weights and features.
func drawStatus(_ f: inout Frame, _ rect: Rect, state: AppState, selection: Selection?, theme: Theme) {
    let bg = theme.c(Theme.bar)
    for x in rect.x..<(rect.x + rect.width) { f[x, rect.y] = Cell(" ", bg: bg, style: theme.colour ? [] : .reverse) }
    // Each part carries a priority; on a narrow terminal the least important go first, so the
    // sample, the ratio, the mode and whether the weights are trained stay visible at 80 columns.
    var parts: [(text: String, priority: Int)] = [("deft", 0)]
    let titlePriority = 10
    parts.append(("\(state.current + 1)/\(state.samples.count) \(state.samples[safe: state.current]?.name ?? "no sample")", titlePriority))
    if let scored = state.scored, let sel = selection {
        let s = scored.scores
        // What the language model reads: the kept tokens, plus in hybrid the restored ones.
        let restored = sel.reconstructed.isEmpty ? "" : " + \(sel.reconstructed.count) restored"
        let scope = s.layout.frames > 1 ? (state.perFrameBudget ? " per frame" : " global") : ""
        parts.append(("keep \(String(format: "%.1f", state.ratio * 100)) % = \(sel.k)\(restored) of \(s.count)\(scope)", 9))
        parts.append(("mode \(modeText(state, sel))", 8))
        parts.append(("H \(String(format: "%.2f", s.selectionEntropy)) of \(String(format: "%.2f", log(Double(max(s.count, 1))))) nats", 3))
        // What a language model would pay for the kept tokens: an estimate, labelled so.
        let cost = state.costEstimate(sel)
        parts.append(("LLM ≈ \(CostEstimate.flops(cost.prefillFLOPs)) · \(CostEstimate.bytes(cost.kvBytes)) KV", 5))
        if let b = state.baseline { parts.append(("vs \(b.title)", 8)) }
        parts.append((scored.weights, 7))
        parts.append((scored.sample.tokenSet.featureOrigin, 2))
    }
    parts.append((depthName(state.depth) + (state.pixels == .cells ? "" : " + \(state.pixels.rawValue) pixels"), 4))
    let sep = theme.unicode ? " │ " : " | "
    func line() -> String { " " + parts.map(\.text).joined(separator: sep) }
    func dropLowest(below limit: Int) -> Bool {
        guard let drop = parts.indices.filter({ parts[$0].priority < limit }).min(by: { parts[$0].priority < parts[$1].priority })
        else { return false }
        parts.remove(at: drop)
        return true
    }
    // First what matters least, down to the sample, ratio and mode; then the title shortens
    // ("3/10 Astronaut (Eil…"), never below 16 characters; only then the rest.
    while line().count > rect.width, dropLowest(below: 8) {}
    if line().count > rect.width, let t = parts.firstIndex(where: { $0.priority == titlePriority }) {
        let excess = line().count - rect.width, text = parts[t].text
        let keep = max(15, text.count - excess - 1)
        if keep < text.count { parts[t].text = String(text.prefix(keep)) + (theme.unicode ? "…" : "~") }
    }
    while line().count > rect.width, dropLowest(below: titlePriority) {}
    f.put(line(), x: rect.x, y: rect.y, fg: theme.c(Theme.text), bg: bg,
          style: theme.colour ? [] : .reverse, maxWidth: rect.width)
}

/// The mode as drawn: adaptive names the path it took; a mode the sample cannot run says so.
func modeText(_ state: AppState, _ sel: Selection) -> String {
    if state.gateUnavailable != nil && state.mode != .fast { return "fast (no gate)" }
    return state.mode == .adaptive ? "adaptive→\(sel.path.rawValue)" : state.mode.rawValue
}

func depthName(_ d: ColorDepth) -> String {
    switch d {
    case .none: return "no colour"
    case .ansi8: return "8 colours"
    case .ansi16: return "16 colours"
    case .xterm256: return "256 colours"
    case .truecolor: return "24-bit colour"
    }
}

/// The bottom line: a typed ratio, the tour's caption, a note, or the keys.
func drawFooter(_ f: inout Frame, _ rect: Rect, state: AppState, theme: Theme) {
    let text: String, fg: RGB
    if let typed = state.typedRatio {
        text = " keep ratio (0.482 or 48.2%) › \(typed)_   Enter applies · Esc cancels"; fg = Theme.accent
    } else if let typed = state.typedText {
        // The end of what was typed stays in view on a narrow terminal.
        let room = max(rect.width - 40, 8)
        let shown = typed.count > room ? "…" + String(typed.suffix(room - 1)) : typed
        text = " text › \(shown)_   Enter encodes · Esc cancels"; fg = Theme.accent
    } else if let tour = state.tour {
        text = " ▶ tour: \(tour.caption)   (any key takes over)"; fg = Theme.accent
    } else if let note = state.note {
        text = " " + note; fg = Theme.accent
    } else {
        text = KeyTable.footer(width: rect.width)
        fg = Theme.muted
    }
    f.put(text, x: rect.x, y: rect.y, fg: theme.c(fg), maxWidth: rect.width)
}

/// The help box, one page of `KeyTable.helpLines` at a time: never a cut line at 80×24.
func drawHelp(_ f: inout Frame, page: Int, theme: Theme) {
    let lines = KeyTable.helpLines
    let w = min(f.width - 2, (lines.map(\.count).max() ?? 0) + 4), h = min(f.height - 2, lines.count + 3)
    guard w > 10, h > 4 else { return }
    let perPage = h - 3, pages = helpPages(height: f.height)
    let shown = Array(lines.dropFirst(min(page, pages - 1) * perPage).prefix(perPage))
    let x0 = (f.width - w) / 2, y0 = (f.height - h) / 2
    let bg = theme.c(RGB(25, 28, 36))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    for (k, line) in shown.enumerated() {
        let title = page == 0 && k == 0
        f.put(line, x: x0 + 2, y: y0 + 1 + k, fg: theme.c(title ? Theme.accent : Theme.text), bg: bg,
              style: title ? .bold : [], maxWidth: w - 3)
    }
    let more = page + 1 < pages ? "? next page (\(page + 1)/\(pages)) · Esc closes" : "Esc or ? closes" + (pages > 1 ? " (\(pages)/\(pages))" : "")
    f.put(more, x: x0 + 2, y: y0 + h - 1, fg: theme.c(Theme.muted), bg: bg, maxWidth: w - 3)
}

/// How many pages the help needs on a screen `height` rows tall.
func helpPages(height: Int) -> Int {
    let perPage = max(1, min(height - 2, KeyTable.helpLines.count + 3) - 3)
    return (KeyTable.helpLines.count + perPage - 1) / perPage
}

func drawTooSmall(_ f: inout Frame, theme: Theme) {
    let lines = ["terminal too small: \(f.width)×\(f.height)",
                 "need \(ScreenLayout.minimumWidth)×\(ScreenLayout.minimumHeight) — enlarge it (q quits)"]
    for (k, line) in lines.enumerated() {
        let x = max(0, (f.width - line.count) / 2), y = f.height / 2 - 1 + k
        f.put(line, x: x, y: y, fg: theme.c(Theme.accent), style: k == 0 ? .bold : [])
    }
}

/// The canvas legend: each mark drawn as it appears on the canvas, then what it means.
func drawCanvasLegend(_ f: inout Frame, _ rect: Rect, state: AppState, selection: Selection, theme: Theme) {
    let square: Character = theme.unicode ? "■" : "#"
    var items: [(Cell, String)] = [
        (Cell(square, fg: theme.c(Theme.kept), style: theme.colour ? [] : .bold), "kept"),
        (Cell(theme.colour ? theme.prunedMark : theme.bullet, fg: theme.c(Theme.hatchLight), bg: theme.c(RGB(40, 40, 40)), style: theme.colour ? [] : .dim),
         "pruned (dim, hatched)"),
    ]
    if !selection.reconstructed.isEmpty {
        items.append((Cell(square, fg: theme.c(Theme.reconstructed), style: theme.colour ? [] : .underline), "restored"))
    }
    if !state.snapshot {
        items.append((Cell(square, fg: theme.c(Theme.cursor), style: theme.colour ? [] : .reverse), "cursor"))
        if theme.colour { items.append((Cell(square, fg: Theme.neighbour), "its neighbours")) }
    }
    if state.baseline != nil, theme.colour { items.append((Cell(square, fg: Theme.disagree), "methods differ")) }
    if state.baseline == .tome { items.append((Cell(theme.colour ? square : "+", fg: theme.c(groupHue(1))), "merged")) }
    var x = rect.x + 1
    for (cell, label) in items {
        guard x + label.count + 3 <= rect.x + rect.width else { break }
        f[x, rect.y] = cell
        x = f.put(" " + label + "  ", x: x + 1, y: rect.y, fg: theme.c(Theme.muted), maxWidth: rect.x + rect.width - x - 1)
    }
}
