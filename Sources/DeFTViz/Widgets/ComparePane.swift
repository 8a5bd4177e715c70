import DeFT
import DeFTEval
import Foundation

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
    right.plainPrint = paint.plainPrint
    if let anchor = other.anchor {
        let sizes = other.groupSizes
        right.groupColour = anchor.map { sizes[$0, default: 1] > 1 ? groupHue($0) : nil }
    }
    let titles = compareTitles(cmp, baseline: baseline, ratio: state.ratio)
    let top = panes.map(\.y).min() ?? 0, rows = top - (state.height > 0 ? ScreenLayout(state).canvas.y : top)
    for (pane, title) in zip(panes, titles) {
        for (k, part) in wordWrap(title.text, width: pane.width - 1).prefix(max(rows, 1)).enumerated() {
            f.put(part.replacingOccurrences(of: "\u{00A0}", with: " "), x: pane.x, y: top - rows + k, fg: theme.c(methodColours[title.method]!), style: .bold, maxWidth: pane.width - 1)
        }
    }
    drawMedia(&f, scored, rect: panes[0], paint: left, theme: theme)
    drawMedia(&f, scored, rect: panes[1], paint: right, theme: theme)
}

/// Each half's title: the method, its stand-in error and coverage, and on the baseline's side how
/// many tokens the two treat differently (and ToMe's merge groups).
func compareTitles(_ cmp: Comparison, baseline: Method, ratio: Double) -> [(method: Method, text: String)] {
    let deft = cmp.reduction(.deft, ratio: ratio), other = cmp.reduction(baseline, ratio: ratio)
    let differ = zip(deft.isKept, other.isKept).filter { $0 != $1 }.count
    return [(Method.deft, deft), (baseline, other)].map { m, red in
        let fid = cmp.index.fidelity(red)
        // Non-breaking spaces inside each item: a wrapped title breaks between items, never in one.
        var items = [m.title.replacingOccurrences(of: " ", with: "\u{00A0}"), "err\u{00A0}\(String(format: "%.3f", fid.error))",
                     "cover\u{00A0}\(Int((fid.coverage * 100).rounded()))\u{00A0}%"]
        if m == baseline { items.append("≠\u{00A0}\(differ)") }
        if m == .tome { items.append("\(red.groupSizes.values.filter { $0 > 1 }.count)\u{00A0}groups") }
        return (m, items.joined(separator: " · "))
    }
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
