import DeFT
import DeFTEval
import Foundation

/// The retention curves in their own strip under the media: fidelity (1 − stand-in error) against
/// the keep ratio, DeFT against the compared baseline (or every baseline), the current ratio
/// marked, and a legend listing every method drawn (wrapped, never cut).
func drawCurves(_ f: inout Frame, in area: Rect, comparison cmp: Comparison, baseline: Method?, ratio: Double, theme: Theme) {
    let methods: [Method] = (baseline.map { [$0] } ?? Method.baselines) + [.deft]   // DeFT last: drawn on top
    let w = area.width
    let legend = methods.reversed().map { "■ \($0.title) \(String(format: "%.3f", 1 - cmp.fidelity($0, ratio: ratio).error))" }
    let legendRows = legendLines(legend, width: w - 2)
    let h = area.height
    guard w >= 24, h >= 5 + legendRows.count else { return }
    let x0 = area.x, y0 = area.y
    let bg = theme.c(RGB(20, 22, 28))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    f.put("fidelity (1 − stand-in error) vs keep ratio", x: x0 + 1, y: y0, fg: theme.c(Theme.accent), bg: bg, style: .bold, maxWidth: w - 2)

    let labelWidth = 4, plotRows = h - 3 - legendRows.count, plotCols = w - labelWidth - 2
    let px = x0 + labelWidth + 1, py = y0 + 1
    // The y axis spans the values shown (to a twentieth), so close curves stay apart.
    let shown = methods.flatMap { (cmp.curves[$0] ?? []).map { 1 - $0.error } }
    let floor = min(max(((shown.min() ?? 0) * 20).rounded(.down) / 20, 0), 0.95)
    let top = max(min(((shown.max() ?? 1) * 20).rounded(.up) / 20, 1), floor + 0.05)
    var plot = BraillePlot(columns: plotCols, rows: plotRows)
    for (s, m) in methods.enumerated() {
        let points = (cmp.curves[m] ?? []).map { (x: $0.ratio, y: (1 - $0.error - floor) / (top - floor)) }
        plot.line(points, series: s)
    }
    let fmt = { (v: Double) in String(format: "%.2f", v) }
    for (label, row) in [(fmt(top), 0), (fmt((top + floor) / 2), (plotRows - 1) / 2), (fmt(floor), plotRows - 1)] {
        f.put(label, x: x0 + labelWidth - label.count, y: py + row, fg: theme.c(Theme.muted), bg: bg)
    }
    let markerCol = Int((min(max(ratio, 0), 1) * Double(plotCols * 2 - 1)).rounded()) / 2
    for r in 0..<plotRows {
        for c in 0..<plotCols {
            let g = plot.glyph(c, r, unicode: theme.unicode)
            if g == " " {
                if c == markerCol { f[px + c, py + r] = Cell(theme.rule, fg: theme.c(Theme.muted), bg: bg) }
                continue
            }
            let colour = plot.owner[r * plotCols + c].map { methodColours[methods[$0]]! } ?? Theme.text
            f[px + c, py + r] = Cell(g, fg: theme.c(colour), bg: bg, style: theme.colour ? [] : .bold)
        }
    }
    let axis = "0 %" + String(repeating: " ", count: max(1, plotCols - 10)) + "100 %"
    f.put(axis, x: px, y: py + plotRows, fg: theme.c(Theme.muted), bg: bg, maxWidth: plotCols)
    // Legend with each method's value at the current ratio (exact, not read off the curve).
    for (row, items) in legendRows.enumerated() {
        var x = x0 + 1
        for item in items {
            let m = methods.reversed()[legend.firstIndex(of: item)!]
            x = f.put(item + "  ", x: x, y: py + plotRows + 1 + row, fg: theme.c(methodColours[m]!), bg: bg, maxWidth: x0 + w - x)
        }
    }
}

/// Legend items packed into lines of at most `width`, each item whole.
func legendLines(_ items: [String], width: Int) -> [[String]] {
    var lines: [[String]] = [[]], used = 0
    for item in items {
        if used > 0 && used + item.count + 2 > width { lines.append([]); used = 0 }
        lines[lines.count - 1].append(item); used += item.count + 2
    }
    return lines
}
