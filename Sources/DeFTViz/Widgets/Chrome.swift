import DeFT
import DeFTEval
import Foundation

/// The status line: what is shown, at which ratio, under which weights and features.
func drawStatus(_ f: inout Frame, _ rect: Rect, state: AppState, theme: Theme) {
    let bg = theme.c(Theme.bar)
    for x in rect.x..<(rect.x + rect.width) { f[x, rect.y] = Cell(" ", bg: bg, style: theme.colour ? [] : .reverse) }
    // Each part carries a priority; on a narrow terminal the least important go first, so the
    // ratio, the mode and whether the weights are trained stay visible at 80 columns.
    var parts: [(text: String, priority: Int)] = [("deft", 0)]
    let titlePriority = 6
    parts.append(("\(state.current + 1)/\(state.samples.count) \(state.samples[safe: state.current]?.name ?? "no sample")", titlePriority))
    if let scored = state.scored, let sel = state.selection {
        let s = scored.scores
        parts.append(("keep \(String(format: "%.1f", state.ratio * 100)) % = \(sel.k) of \(s.count)", 9))
        let path = state.mode == .adaptive ? "adaptive→\(sel.path.rawValue)" : state.mode.rawValue
        parts.append(("mode \(path)", 8))
        parts.append(("H \(String(format: "%.2f", s.selectionEntropy))", 3))
        // What a language model would pay for the kept tokens: an estimate, labelled so.
        let cost = state.costEstimate(sel)
        parts.append(("LLM ≈ \(CostEstimate.flops(cost.prefillFLOPs)) · \(CostEstimate.bytes(cost.kvBytes)) KV", 5))
        if let b = state.baseline { parts.append(("vs \(b.title)", 8)) }
        parts.append((scored.weights, 7))
        parts.append((scored.sample.tokenSet.featureOrigin, 2))
    }
    parts.append((depthName(state.depth), 4))
    let sep = theme.unicode ? " │ " : " | "
    func line() -> String { " " + parts.map(\.text).joined(separator: sep) }
    while line().count > rect.width, parts.count > 1,
          let drop = parts.indices.min(by: { parts[$0].priority < parts[$1].priority }) {
        // The sample's title shortens before it goes: "1/3 Astronaut (Eil…".
        let excess = line().count - rect.width, text = parts[drop].text
        if parts[drop].priority == titlePriority, text.count - excess - 1 >= 12 {
            parts[drop].text = String(text.prefix(text.count - excess - 1)) + (theme.unicode ? "…" : "~")
            break
        }
        parts.remove(at: drop)
    }
    f.put(line(), x: rect.x, y: rect.y, fg: theme.c(Theme.text), bg: bg,
          style: theme.colour ? [] : .reverse, maxWidth: rect.width)
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
        text = " keep % › \(typed)_   Enter applies · Esc cancels"; fg = Theme.accent
    } else if let tour = state.tour {
        text = " ▶ tour: \(tour.caption)   (any key takes over)"; fg = Theme.accent
    } else if let note = state.note {
        text = " " + note; fg = Theme.accent
    } else {
        text = " ? help  q quit  +/- ratio  PgUp/PgDn ±10%  r type  m mode  c channel  o overlay  b compare  g curves  [ ] sample  arrows/click cursor"
        fg = Theme.muted
    }
    f.put(text, x: rect.x, y: rect.y, fg: theme.c(fg), maxWidth: rect.width)
}

let helpLines = [
    "deft — which tokens DeFT keeps, and why",
    "",
    "+ / -          keep ratio ±1 %   (mouse wheel too)",
    "PgUp / PgDn    keep ratio ±10 %",
    "r              type a keep ratio in %, Enter",
    "m              mode: fast → hybrid → adaptive",
    "c / C          channel: combined, saliency, feedback, group, rank",
    "o              overlay the channel on the pixels",
    "b / B          compare: DeFT beside random, uniform, norm, saliency, ToMe",
    "g              retention curves (fidelity vs ratio), current ratio marked",
    "e              export this view as a figure (PNG, SVG for text) + JSON",
    "arrows, hjkl   move the cursor token (click works too)",
    "< / >          previous / next frame (video)",
    "[ ] Tab 1–9    switch sample",
    "? / Esc        close this help       q   quit",
    "",
    "Bright: kept. Dim: pruned. Violet: reconstructed (hybrid).",
    "Yellow outline: cursor. Cyan: its group neighbourhood.",
    "Compare: magenta outline = the two methods disagree; ToMe groups share a colour.",
    "Status ≈: the language model's prefill and KV cache for the kept tokens (estimate).",
]

func drawHelp(_ f: inout Frame, theme: Theme) {
    let w = min(f.width - 2, (helpLines.map(\.count).max() ?? 0) + 4), h = min(f.height - 2, helpLines.count + 2)
    guard w > 10, h > 3 else { return }
    let x0 = (f.width - w) / 2, y0 = (f.height - h) / 2
    let bg = theme.c(RGB(25, 28, 36))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    for (k, line) in helpLines.prefix(h - 2).enumerated() {
        f.put(line, x: x0 + 2, y: y0 + 1 + k, fg: theme.c(k == 0 ? Theme.accent : Theme.text), bg: bg,
              style: k == 0 ? .bold : [], maxWidth: w - 3)
    }
}

func drawTooSmall(_ f: inout Frame, theme: Theme) {
    let lines = ["terminal too small: \(f.width)×\(f.height)",
                 "need \(ScreenLayout.minimumWidth)×\(ScreenLayout.minimumHeight) — enlarge it (q quits)"]
    for (k, line) in lines.enumerated() {
        let x = max(0, (f.width - line.count) / 2), y = f.height / 2 - 1 + k
        f.put(line, x: x, y: y, fg: theme.c(Theme.accent), style: k == 0 ? .bold : [])
    }
}
