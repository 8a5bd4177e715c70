import DeFT
import DeFTEval
import Foundation

/// The retention curves in a box over the lower canvas: fidelity (1 − stand-in error) against the
/// keep ratio, DeFT against the compared baseline (or every baseline), the current ratio marked.
func drawCurves(_ f: inout Frame, in canvas: Rect, comparison cmp: Comparison, baseline: Method?, ratio: Double, theme: Theme) {
    let w = min(canvas.width, 72), h = min(canvas.height - 2, 15)
    guard w >= 24, h >= 7 else { return }
    let x0 = canvas.x, y0 = canvas.y + canvas.height - h - 1
    let bg = theme.c(RGB(20, 22, 28))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    f.put("fidelity (1 − stand-in error) vs keep ratio", x: x0 + 1, y: y0, fg: theme.c(Theme.accent), bg: bg, style: .bold, maxWidth: w - 2)

    let labelWidth = 4, plotRows = h - 4, plotCols = w - labelWidth - 2
    let px = x0 + labelWidth + 1, py = y0 + 1
    let methods: [Method] = (baseline.map { [$0] } ?? Method.baselines) + [.deft]   // DeFT last: drawn on top
    // The y axis starts at the lowest value shown (to a tenth), so close curves stay apart.
    let lowest = methods.flatMap { (cmp.curves[$0] ?? []).map { 1 - $0.error } }.min() ?? 0
    let floor = min(max((lowest * 10).rounded(.down) / 10, 0), 0.9)
    var plot = BraillePlot(columns: plotCols, rows: plotRows)
    for (s, m) in methods.enumerated() {
        let points = (cmp.curves[m] ?? []).map { (x: $0.ratio, y: (1 - $0.error - floor) / (1 - floor)) }
        plot.line(points, series: s)
    }
    let fmt = { (v: Double) in String(format: "%.2f", v) }
    for (label, row) in [("1.00", 0), (fmt((1 + floor) / 2), (plotRows - 1) / 2), (fmt(floor), plotRows - 1)] {
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
    var x = x0 + 1
    for m in methods.reversed() {
        let v = 1 - cmp.fidelity(m, ratio: ratio).error
        x = f.put("■ \(m.title) \(String(format: "%.3f", v))  ", x: x, y: y0 + h - 1, fg: theme.c(methodColours[m]!), bg: bg,
                  maxWidth: x0 + w - x)
        if x >= x0 + w - 1 { break }
    }
}
