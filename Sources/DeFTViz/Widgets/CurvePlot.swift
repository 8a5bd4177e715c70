import DeFT
import DeFTEval
import Foundation

/// The retention curves in their own strip under the media: fidelity (1 − stand-in error) against
/// the keep ratio, DeFT against the compared baseline (or every baseline), the current ratio
/// marked, and a legend listing every method drawn (wrapped, never cut).
func drawCurves(_ f: inout Frame, in area: Rect, comparison cmp: Comparison, baseline: Method?, ratio: Double, theme: Theme) {
    let methods: [Method] = (baseline.map { [$0] } ?? Method.baselines) + [.deft]   // DeFT last: drawn on top
    // Legend with each method's value at the current ratio (exact, not read off the curve).
    let strip = CurveStrip(
        title: "fidelity (1 − stand-in error) vs keep ratio",
        series: methods.map { m in .init(points: (cmp.curves[m] ?? []).map { (x: $0.ratio, y: 1 - $0.error) }, colour: methodColours[m]!) },
        legend: methods.reversed().map { m in
            (text: "■ \(m.title) \(String(format: "%.3f", 1 - cmp.fidelity(m, ratio: ratio).error))", colour: methodColours[m]!) },
        yLabel: { String(format: "%.2f", $0) })
    drawCurveStrip(&f, in: area, strip, ratio: ratio, theme: theme)
}

/// What a curve strip shows: values in [0, 1] against the keep ratio, later series drawn over earlier
/// ones, and the legend's items in their own order and colours.
struct CurveStrip {
    struct Series { var points: [(x: Double, y: Double)]; var colour: RGB }
    var title: String
    var series: [Series]
    var legend: [(text: String, colour: RGB)]
    var yLabel: (Double) -> String
}

/// A curve strip under the media (the fidelity curves, or a bundle's accuracy curves): its title, the
/// y axis fitted to the values shown (to a twentieth, so close curves stay apart), the current ratio
/// marked, and the legend wrapped with every item whole.
func drawCurveStrip(_ f: inout Frame, in area: Rect, _ strip: CurveStrip, ratio: Double, theme: Theme) {
    let w = area.width, h = area.height
    let legendRows = legendLines(strip.legend.map(\.text), width: w - 2)
    guard w >= 24, h >= 5 + legendRows.count else { return }
    let x0 = area.x, y0 = area.y
    let bg = theme.c(RGB(20, 22, 28))
    for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { f[x, y] = Cell(" ", bg: bg) } }
    f.put(strip.title, x: x0 + 1, y: y0, fg: theme.c(Theme.accent), bg: bg, style: .bold, maxWidth: w - 2)

    let labelWidth = 4, plotRows = h - 3 - legendRows.count, plotCols = w - labelWidth - 2
    let px = x0 + labelWidth + 1, py = y0 + 1
    let shown = strip.series.flatMap { $0.points.map(\.y) }
    let floor = min(max(((shown.min() ?? 0) * 20).rounded(.down) / 20, 0), 0.95)
    let top = max(min(((shown.max() ?? 1) * 20).rounded(.up) / 20, 1), floor + 0.05)
    var plot = BraillePlot(columns: plotCols, rows: plotRows)
    for (i, s) in strip.series.enumerated() {
        plot.line(s.points.map { (x: $0.x, y: ($0.y - floor) / (top - floor)) }, series: i)
    }
    for (value, row) in [(top, 0), ((top + floor) / 2, (plotRows - 1) / 2), (floor, plotRows - 1)] {
        let label = strip.yLabel(value)
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
            let colour = plot.owner[r * plotCols + c].map { strip.series[$0].colour } ?? Theme.text
            f[px + c, py + r] = Cell(g, fg: theme.c(colour), bg: bg, style: theme.colour ? [] : .bold)
        }
    }
    let axis = "0 %" + String(repeating: " ", count: max(1, plotCols - 10)) + "100 %"
    f.put(axis, x: px, y: py + plotRows, fg: theme.c(Theme.muted), bg: bg, maxWidth: plotCols)
    var item = 0   // the lines keep the legend's order
    for (row, items) in legendRows.enumerated() {
        var x = x0 + 1
        for text in items {
            x = f.put(text + "  ", x: x, y: py + plotRows + 1 + row, fg: theme.c(strip.legend[item].colour), bg: bg, maxWidth: x0 + w - x)
            item += 1
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
