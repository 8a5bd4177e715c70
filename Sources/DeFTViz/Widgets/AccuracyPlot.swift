import DeFT
import Foundation

/// Colours of the accuracy curves by method name: the fidelity curves' colours where the method is
/// the same, DeFT's variants in its own family.
private let curveColours: [String: RGB] = [
    "deft": Theme.accent, "deft hybrid": Theme.reconstructed, "deft-no-feedback": RGB(200, 160, 60),
    "saliency": RGB(120, 200, 255), "norm": RGB(160, 220, 120), "random": RGB(170, 170, 170),
    "uniform": RGB(255, 150, 90), "tome": RGB(210, 140, 255), "cls-attention": RGB(80, 210, 200), "visionzip": RGB(240, 120, 170),
]

private func colour(_ name: String) -> RGB { curveColours[name] ?? Theme.text }

/// The legend items: each series with its accuracy at the measured ratio nearest the current one.
func accuracyLegend(_ curve: AccuracyCurve, ratio: Double) -> [String] {
    let at = curve.nearestRatio(to: ratio)
    return curve.series.map { s in "■ \(s.name) " + (curve.accuracy(s, at: at).map { String(format: "%.1f", $0 * 100) } ?? "—") }
}

/// The precomputed accuracy curves in the curves strip: accuracy against keep ratio for every method,
/// DeFT's variants drawn last and DeFT itself on top (hybrid often equals it), the current ratio marked, the
/// legend's numbers measured at the ratio nearest it.
func drawAccuracyCurves(_ f: inout Frame, in area: Rect, curve: AccuracyCurve, ratio: Double, theme: Theme) {
    func layer(_ s: AccuracyCurve.Series) -> Int { s.name == "deft" ? 2 : s.name.hasPrefix("deft") ? 1 : 0 }
    let order = curve.series.enumerated().sorted { (layer($0.element), $0.offset) < (layer($1.element), $1.offset) }.map(\.element)
    let legend = accuracyLegend(curve, ratio: ratio)
    let legendRows = legendLines(legend, width: area.width - 2)
    let w = area.width, h = area.height
    guard w >= 24, h >= 5 + legendRows.count else { return }
    let x0 = area.x, y0 = area.y
    let bg = theme.c(RGB(20, 22, 28))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    let at = curve.nearestRatio(to: ratio)
    // The title loses its last parts, whole, on a narrow canvas.
    var title = "accuracy (%) vs keep ratio · legend at \(String(format: "%.1f", at * 100)) %"
    let task = " · \(curve.task), \(curve.test) test images"
    if title.count + task.count <= w - 2 { title += task }
    f.put(title, x: x0 + 1, y: y0, fg: theme.c(Theme.accent), bg: bg, style: .bold, maxWidth: w - 2)

    let labelWidth = 4, plotRows = h - 3 - legendRows.count, plotCols = w - labelWidth - 2
    let px = x0 + labelWidth + 1, py = y0 + 1
    // The y axis spans the accuracies shown (to a twentieth), so close curves stay apart.
    let shown = curve.series.flatMap { $0.points.map(\.accuracy) }
    let floor = min(max(((shown.min() ?? 0) * 20).rounded(.down) / 20, 0), 0.95)
    let top = max(min(((shown.max() ?? 1) * 20).rounded(.up) / 20, 1), floor + 0.05)
    var plot = BraillePlot(columns: plotCols, rows: plotRows)
    for (i, s) in order.enumerated() {
        plot.line(s.points.map { (x: $0.ratio, y: ($0.accuracy - floor) / (top - floor)) }, series: i)
    }
    for (label, row) in [(top, 0), ((top + floor) / 2, (plotRows - 1) / 2), (floor, plotRows - 1)].map({ (String(format: "%.0f", $0.0 * 100), $0.1) }) {
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
            let fg = plot.owner[r * plotCols + c].map { colour(order[$0].name) } ?? Theme.text
            f[px + c, py + r] = Cell(g, fg: theme.c(fg), bg: bg, style: theme.colour ? [] : .bold)
        }
    }
    let axis = "0 %" + String(repeating: " ", count: max(1, plotCols - 10)) + "100 %"
    f.put(axis, x: px, y: py + plotRows, fg: theme.c(Theme.muted), bg: bg, maxWidth: plotCols)
    for (row, items) in legendRows.enumerated() {
        var x = x0 + 1
        for item in items {
            let s = curve.series[legend.firstIndex(of: item)!]
            x = f.put(item + "  ", x: x, y: py + plotRows + 1 + row, fg: theme.c(colour(s.name)), bg: bg, maxWidth: x0 + w - x)
        }
    }
}
