import DeFT
import DeFTMedia

/// Draws one image (or video frame) into the frame: real pixels in half blocks, patch boundaries,
/// pruned patches dimmed, reconstructed ones tinted, the cursor patch and its neighbours outlined.
func drawImage(_ f: inout Frame, _ image: RGBImage, _ place: ImagePlacement, tokenOffset: Int, paint: TokenPaint, theme: Theme) {
    let w = place.pixelWidth, h = place.pixelHeight
    guard w > 0, h > 1 else { return }
    let rgb = Resample.resize(image, width: w, height: h)
    // Patch index per pixel, computed once: boundaries and outlines compare neighbours.
    var patch = [Int](repeating: 0, count: w * h)
    for py in 0..<h { for px in 0..<w { patch[py * w + px] = place.patch(px: px, py: py) ?? 0 } }
    let patchPixels = min(w / max(place.grid.width, 1), h / max(place.grid.height, 1))
    let cursorLocal = paint.cursor - tokenOffset
    let neighbourLocal = Set(paint.neighbours.map { $0 - tokenOffset })

    func colour(_ px: Int, _ py: Int) -> RGB {
        let o = (py * w + px) * 3
        let p = patch[py * w + px]
        var c = paint.pixel(RGB(UInt8(min(255, rgb[o])), UInt8(min(255, rgb[o + 1])), UInt8(min(255, rgb[o + 2]))),
                            token: tokenOffset + p)
        let edge = (px > 0 && patch[py * w + px - 1] != p) || (py > 0 && patch[(py - 1) * w + px] != p)
        let outer = px == 0 || py == 0 || px == w - 1 || py == h - 1
            || patch[py * w + px - 1] != p || patch[py * w + px + 1] != p
            || patch[(py - 1) * w + px] != p || patch[(py + 1) * w + px] != p
        if p == cursorLocal && outer { return Theme.cursor }
        // Where the two methods differ: a mark in the patch's top-left corner, visible at any size
        // without covering the picture (a full outline hid half of both images).
        let corner = (px == 0 || patch[py * w + px - 1] != p) && (py == 0 || patch[(py - 1) * w + px] != p)
        let cornerBelow = py > 0 && (px == 0 || patch[py * w + px - 1] != p) && patch[(py - 1) * w + px] == p
            && (py < 2 || patch[(py - 2) * w + px] != p) && patchPixels >= 4
        if paint.disagrees(tokenOffset + p) && (corner || cornerBelow) { return Theme.disagree }
        if neighbourLocal.contains(p) && outer && patchPixels >= 3 { return Theme.neighbour }
        if edge && patchPixels >= 4 { c = c.scaled(0.72) }
        return c
    }

    for cy in 0..<(h / 2) {
        for px in 0..<w {
            let top = colour(px, 2 * cy), bottom = colour(px, 2 * cy + 1)
            let x = place.origin.x + px, y = place.origin.y + cy
            if theme.colour {
                let token = tokenOffset + patch[2 * cy * w + px]
                // Pruned patches are hatched as well as dimmed: dimming alone vanishes on dark or grey
                // pictures and in few colours; a hatch reads at any depth. The hatch takes whichever of
                // light or dark stands out from the patch.
                let plainPruned = !paint.isKept[token] && !paint.isReconstructed[token] && paint.group(token) == nil
                    && top != Theme.cursor && top != Theme.disagree && top != Theme.neighbour
                if plainPruned && (px + cy) % 3 == 0 {
                    let under = top.mixed(bottom, 0.5)
                    f[x, y] = Cell(theme.prunedMark, fg: under.luminance < 0.3 ? Theme.hatchLight : Theme.hatchDark, bg: under)
                } else {
                    f[x, y] = theme.unicode ? Cell("▀", fg: top, bg: bottom) : Cell(" ", bg: top.mixed(bottom, 0.5))
                }
            } else {
                // No colour: shade glyphs carry the picture (or the heatmap), bold/dim carry kept/pruned.
                let token = tokenOffset + patch[2 * cy * w + px]
                let v = paint.overlay ? paint.values.unit(token) : (top.luminance + bottom.luminance) / 2
                var style: CellStyle = paint.isKept[token] ? .bold : (paint.isReconstructed[token] || paint.disagrees(token) ? .underline : .dim)
                if token == paint.cursor { style.insert(.reverse) }
                // Merged into another token (ToMe): still carried, so not the pruned dot.
                let merged = !paint.isKept[token] && paint.group(token) != nil
                let glyph: Character = paint.isKept[token] || paint.isReconstructed[token] ? ColorMap.shade(v, unicode: theme.unicode)
                    : (merged ? "+" : theme.bullet)
                f[x, y] = Cell(glyph, style: style)
            }
        }
    }
}
