import DeFT
import DeFTEval
import Foundation

/// Colours of the baselines' curves (DeFT is the accent colour).
let methodColours: [Method: RGB] = [
    .deft: Theme.accent, .saliency: RGB(120, 200, 255), .norm: RGB(160, 220, 120),
    .random: RGB(170, 170, 170), .uniform: RGB(255, 150, 90), .tome: RGB(210, 140, 255),
]

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

/// DeFT on the left, a baseline on the right, at the same ratio; tokens they treat differently
/// are outlined on both sides; ToMe's merge groups are coloured by group.
func drawCompare(_ f: inout Frame, _ panes: [Rect], scored: ScoredSample, comparison cmp: Comparison, baseline: Method,
                 state: AppState, paint: TokenPaint, theme: Theme) {
    guard panes.count == 2 else { return }
    let deft = cmp.reduction(.deft, ratio: state.ratio), other = cmp.reduction(baseline, ratio: state.ratio)
    let differ = zip(deft.isKept, other.isKept).map { $0 != $1 }
    var left = paint
    left.disagree = differ
    var right = TokenPaint(values: paint.values, isKept: other.isKept, isReconstructed: [Bool](repeating: false, count: differ.count),
                           cursor: paint.cursor, neighbours: [], overlay: paint.overlay)
    right.disagree = differ
    if let anchor = other.anchor {
        let sizes = other.groupSizes
        right.groupColour = anchor.map { sizes[$0, default: 1] > 1 ? groupHue($0) : nil }
    }
    for (pane, (m, red)) in zip(panes, [(Method.deft, deft), (baseline, other)]) {
        let fid = cmp.index.fidelity(red)
        var title = "\(m.title)  err \(String(format: "%.3f", fid.error)) · cover \(Int((fid.coverage * 100).rounded())) %"
        if m == baseline { title += "  ≠ \(differ.filter { $0 }.count)" }
        if m == .tome { title += "  \(red.groupSizes.values.filter { $0 > 1 }.count) groups" }
        f.put(title, x: pane.x, y: pane.y - 1, fg: theme.c(methodColours[m]!), style: .bold, maxWidth: pane.width)
    }
    drawMedia(&f, scored, rect: panes[0], isKept: deft.isKept, paint: left, theme: theme)
    drawMedia(&f, scored, rect: panes[1], isKept: other.isKept, paint: right, theme: theme)
}

/// A distinct, stable colour per merge group (golden-ratio hue steps), bright enough on black.
func groupHue(_ anchor: Int) -> RGB {
    let h = (Double(anchor) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1) * 6
    let x = 1 - abs(h.truncatingRemainder(dividingBy: 2) - 1)
    let (r, g, b): (Double, Double, Double)
    switch Int(h) {
    case 0: (r, g, b) = (1, x, 0)
    case 1: (r, g, b) = (x, 1, 0)
    case 2: (r, g, b) = (0, 1, x)
    case 3: (r, g, b) = (0, x, 1)
    case 4: (r, g, b) = (x, 0, 1)
    default: (r, g, b) = (1, 0, x)
    }
    func c(_ v: Double) -> UInt8 { UInt8(60 + 195 * v) }
    return RGB(c(r), c(g), c(b))
}
