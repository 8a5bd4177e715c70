import DeFT
import DeFTMedia

/// The passage as wrapped token rows: each token's background is the channel's colour, pruned
/// tokens dim, reconstructed ones underlined in violet, and the kept count at the end of each line.
func drawText(_ f: inout Frame, _ doc: TextDocument, rect: Rect, paint: TokenPaint, theme: Theme) {
    let margin = 7
    let place = TextPlacement(doc, width: rect.width - margin)
    let top = textScroll(cursorLine: place.spots[safe: paint.cursor]?.line ?? 0, lines: place.lines, height: rect.height)
    var keptPerLine = [Int: (kept: Int, total: Int)]()
    for (i, spot) in place.spots.enumerated() {
        let y = rect.y + spot.line - top
        var entry = keptPerLine[spot.line] ?? (0, 0)
        entry.total += 1
        if paint.isKept[i] { entry.kept += 1 }
        keptPerLine[spot.line] = entry
        guard y >= rect.y, y < rect.y + rect.height else { continue }
        var text = TextPlacement.surface(doc, i)
        // A printed frame without colour has no dim: a pruned word shows as dots of its width.
        if paint.plainPrint && !paint.isKept[i] && !paint.isReconstructed[i] && paint.group(i) == nil {
            text = String(repeating: "·", count: text.count)
        }
        let heat = ColorMap.viridis(paint.values.unit(i))
        var fg: RGB, bg: RGB, style: CellStyle = []
        if paint.isKept[i] {
            bg = heat; fg = heat.luminance > 0.5 ? RGB(10, 10, 10) : RGB(245, 245, 245); style.insert(.bold)
        } else if paint.isReconstructed[i] {
            bg = heat.scaled(0.35); fg = Theme.reconstructed; style.insert(.underline)
        } else {
            bg = heat.scaled(0.22); fg = Theme.muted; style.insert(.dim)
        }
        if let g = paint.group(i) { bg = g.scaled(0.6); fg = RGB(245, 245, 245); style.remove(.dim) }
        if paint.disagrees(i) { fg = Theme.disagree; style.insert(.underline) }
        if i == paint.cursor { style.insert(.reverse); style.remove(.dim) }
        if paint.neighbours.contains(i) { style.insert(.underline) }
        f.put(text, x: rect.x + spot.col, y: y, fg: theme.c(fg), bg: theme.c(bg), style: style, maxWidth: spot.width)
    }
    for (line, counts) in keptPerLine {
        let y = rect.y + line - top
        guard y >= rect.y, y < rect.y + rect.height else { continue }
        let label = "\(counts.kept)/\(counts.total)"
        f.put(label, x: rect.x + rect.width - label.count, y: y, fg: theme.c(Theme.muted))
    }
}
