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
    // The title loses its last parts, whole, on a narrow canvas.
    var title = "accuracy (%) vs keep ratio · legend at \(String(format: "%.1f", curve.nearestRatio(to: ratio) * 100)) %"
    let task = " · \(curve.task), \(curve.test) test images"
    if title.count + task.count <= area.width - 2 { title += task }
    let strip = CurveStrip(
        title: title,
        series: order.map { s in .init(points: s.points.map { (x: $0.ratio, y: $0.accuracy) }, colour: colour(s.name)) },
        legend: zip(curve.series, accuracyLegend(curve, ratio: ratio)).map { (text: $1, colour: colour($0.name)) },
        yLabel: { String(format: "%.0f", $0 * 100) })
    drawCurveStrip(&f, in: area, strip, ratio: ratio, theme: theme)
}
