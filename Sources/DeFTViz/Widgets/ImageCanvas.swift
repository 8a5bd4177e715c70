import DeFT
import DeFTMedia
import Synchronization

/// Draws one image (or video frame) into the frame: its pixels painted per token (pruned patches
/// dimmed and hatched, restored ones tinted, patch boundaries, the compare marks), turned into
/// cells by libchafa, and over the cells the cursor patch and its neighbours outlined. Without
/// colour, shade glyphs and bold/dim carry the picture and the selection.
func drawImage(_ f: inout Frame, _ image: RGBImage, _ place: ImagePlacement, tokenOffset: Int, paint: TokenPaint, theme: Theme) {
    let columns = place.pixelWidth, rows = place.pixelHeight / 2
    guard columns > 0, rows > 0 else { return }
    let symbols = theme.colour && theme.unicode ? theme.symbols : .half
    // In 16 or 8 colours a blended hatch line would round to the dimmed patch's own colour.
    let hatch: Float = !(theme.colour && theme.unicode) ? 0 : (theme.depth == .ansi16 || theme.depth == .ansi8 ? 1 : 0.7)
    let art = PatchArt(image, place: place, symbols: symbols, tokenOffset: tokenOffset, paint: paint, hatch: hatch)
    let (ox, oy) = place.origin
    if !theme.colour {
        drawShades(&f, art, place: place, tokenOffset: tokenOffset, paint: paint, theme: theme)
        return
    }
    if theme.unicode {
        let cells = CellQuantiser.cells(.init(pixels: art.rgb, columns: columns, rows: rows, symbols: symbols, depth: theme.depth))
        for (i, cell) in cells.enumerated() { f[ox + i % columns, oy + i / columns] = cell }
    } else {
        // Plain ASCII: one colour a cell, and the hatch as a glyph.
        for cy in 0..<rows {
            for x in 0..<columns {
                let under = art.colour(x, 2 * cy).mixed(art.colour(x, 2 * cy + 1), 0.5)
                let token = tokenOffset + art.patch(x, 2 * cy)
                f[ox + x, oy + cy] = paint.plainPruned(token) && (x + cy) % 3 == 0
                    ? Cell(theme.prunedMark, fg: under.luminance < 0.3 ? Theme.hatchLight : Theme.hatchDark, bg: under)
                    : Cell(" ", bg: under)
            }
        }
    }
    drawOutlines(&f, art, place: place, tokenOffset: tokenOffset, paint: paint, unicode: theme.unicode)
}

/// The cursor's patch outlined, and its neighbours' when patches are big enough to show it: drawn
/// over libchafa's cells (a cursor move then costs no re-quantising), one pixel wide, each touched
/// cell becoming the symbol of its outline pixels over the mean of its other pixels.
private func drawOutlines(_ f: inout Frame, _ art: PatchArt, place: ImagePlacement, tokenOffset: Int, paint: TokenPaint, unicode: Bool) {
    let cursor = paint.cursor - tokenOffset
    let neighbours = art.patchPixels >= 4 ? Set(paint.neighbours.map { $0 - tokenOffset }) : []
    let marked = neighbours.union((0..<art.grid.count).contains(cursor) ? [cursor] : []).filter { (0..<art.grid.count).contains($0) }
    guard !marked.isEmpty else { return }
    let (sx, sy) = art.symbols.subPixels
    // Only the cells over the marked patches: a redraw should not visit the whole picture.
    let rows = marked.map { $0 / art.grid.width }, cols = marked.map { $0 % art.grid.width }
    let cellRows = (rows.min()! * art.height / art.grid.height / sy)...min((rows.max()! + 1) * art.height / art.grid.height / sy, place.pixelHeight / 2 - 1)
    let cellCols = (cols.min()! * art.width / art.grid.width / sx)...min((cols.max()! + 1) * art.width / art.grid.width / sx, place.pixelWidth - 1)
    for cy in cellRows {
        for cx in cellCols {
            var cursorMask = 0, neighbourMask = 0
            var sum = (0, 0, 0), n = 0
            for j in 0..<sy {
                for i in 0..<sx {
                    let qx = cx * sx + i, qy = cy * sy + j, p = art.patch(qx, qy), bit = 1 << (j * sx + i)
                    if p == cursor && art.isOuter(qx, qy) { cursorMask |= bit }
                    else if neighbours.contains(p) && art.isOuter(qx, qy) { neighbourMask |= bit }
                    else { let c = art.colour(qx, qy); sum = (sum.0 + Int(c.r), sum.1 + Int(c.g), sum.2 + Int(c.b)); n += 1 }
                }
            }
            guard cursorMask | neighbourMask != 0 else { continue }
            let (mask, colour) = cursorMask != 0 ? (cursorMask, Theme.cursor) : (neighbourMask, Theme.neighbour)
            let under = n == 0 ? colour : RGB(UInt8(sum.0 / n), UInt8(sum.1 / n), UInt8(sum.2 / n))
            f[place.origin.x + cx, place.origin.y + cy] = unicode ? Cell(art.symbols.glyph(mask: mask), fg: colour, bg: under) : Cell(" ", bg: colour)
        }
    }
}

/// No colour: shade glyphs carry the picture (or the heatmap), bold/dim carry kept/pruned.
private func drawShades(_ f: inout Frame, _ art: PatchArt, place: ImagePlacement, tokenOffset: Int, paint: TokenPaint, theme: Theme) {
    for cy in 0..<(place.pixelHeight / 2) {
        for px in 0..<place.pixelWidth {
            let token = tokenOffset + art.patch(px, 2 * cy)
            let v = paint.overlay ? paint.values.unit(token) : (art.colour(px, 2 * cy).luminance + art.colour(px, 2 * cy + 1).luminance) / 2
            var style: CellStyle = paint.isKept[token] ? .bold : (paint.isReconstructed[token] || paint.disagrees(token) ? .underline : .dim)
            if token == paint.cursor { style.insert(.reverse) }
            // Merged into another token (ToMe): still carried, so not the pruned dot.
            let merged = !paint.isKept[token] && paint.group(token) != nil
            let glyph: Character = paint.isKept[token] || paint.isReconstructed[token] ? ColorMap.shade(v, unicode: theme.unicode)
                : (merged ? "+" : theme.bullet)
            f[place.origin.x + px, place.origin.y + cy] = Cell(glyph, style: style)
        }
    }
}

/// An image at the canvas's pixel size for a set of symbols (`columns · sx` × `rows · sy`), every
/// pixel painted for its token: what libchafa turns into cells. Depends on the selection, not on
/// the cursor.
struct PatchArt {
    let width: Int, height: Int
    let symbols: CellSymbols
    let grid: (height: Int, width: Int, count: Int)
    /// The patch (within its frame) under each pixel.
    private(set) var patches: [Int]
    /// RGB, 3 bytes a pixel.
    private(set) var rgb: [UInt8]
    /// The smaller side of a patch in pixels: marks that need room are left out of small patches.
    let patchPixels: Int

    /// `hatch`: how strongly the hatch lines replace a pruned patch's pixels (0: no hatch).
    init(_ image: RGBImage, place: ImagePlacement, symbols: CellSymbols, tokenOffset: Int, paint: TokenPaint, hatch: Float) {
        let (sx, sy) = symbols.subPixels
        let w = place.pixelWidth * sx, h = place.pixelHeight / 2 * sy
        width = w; height = h; self.symbols = symbols
        grid = (place.grid.height, place.grid.width, place.grid.height * place.grid.width)
        let source = ResampleMemo.resized(image, width: w, height: h)
        let rowOf = (0..<h).map { $0 * place.grid.height / h * place.grid.width }, colOf = (0..<w).map { $0 * place.grid.width / w }
        patches = (0..<(w * h)).map { i in rowOf[i / w] + colOf[i % w] }
        patchPixels = min(w / max(place.grid.width, 1), h / max(place.grid.height, 1))
        rgb = [UInt8](repeating: 0, count: w * h * 3)
        // The hatch: rising lines four cells apart, one pixel thick, in cell units so every set of
        // symbols draws the same ╱ lines the legend shows.
        func onHatch(_ px: Int, _ py: Int) -> Bool {
            let u = (Double(px) + 0.5) / Double(sx), v = (Double(py) + 0.5) / Double(sy)
            return (u + v).truncatingRemainder(dividingBy: 4) < 1 / Double(sx)
        }
        for py in 0..<h {
            for px in 0..<w {
                let i = py * w + px, p = patches[i], token = tokenOffset + p
                var c = paint.pixel(RGB(UInt8(min(255, source[i * 3])), UInt8(min(255, source[i * 3 + 1])), UInt8(min(255, source[i * 3 + 2]))),
                                    token: token)
                let edge = (px > 0 && patches[i - 1] != p) || (py > 0 && patches[i - w] != p)
                // Where the two methods differ: a mark in the patch's top-left corner, visible at any
                // size without covering the picture (a full outline hid half of both images).
                let corner = (px == 0 || patches[i - 1] != p) && (py == 0 || patches[i - w] != p)
                let cornerBelow = py > 0 && (px == 0 || patches[i - 1] != p) && patches[i - w] == p
                    && (py < 2 || patches[i - 2 * w] != p) && patchPixels >= 4
                if paint.disagrees(token) && (corner || cornerBelow) {
                    c = Theme.disagree
                } else if hatch > 0 && paint.plainPruned(token) && onHatch(px, py) {
                    // Pruned patches are hatched as well as dimmed: dimming alone vanishes on dark or
                    // grey pictures and in few colours, a texture survives any palette. The hatch
                    // takes whichever of light or dark stands out from the patch.
                    c = c.mixed(c.luminance < 0.3 ? Theme.hatchLight : Theme.hatchDark, hatch)
                } else if edge && patchPixels >= 4 {
                    c = c.scaled(0.72)
                }
                rgb[i * 3] = c.r; rgb[i * 3 + 1] = c.g; rgb[i * 3 + 2] = c.b
            }
        }
    }

    func patch(_ x: Int, _ y: Int) -> Int { patches[y * width + x] }
    func colour(_ x: Int, _ y: Int) -> RGB { let o = (y * width + x) * 3; return RGB(rgb[o], rgb[o + 1], rgb[o + 2]) }

    /// On its patch's border (or the image's).
    func isOuter(_ x: Int, _ y: Int) -> Bool {
        let p = patch(x, y)
        return x == 0 || y == 0 || x == width - 1 || y == height - 1
            || patch(x - 1, y) != p || patch(x + 1, y) != p || patch(x, y - 1) != p || patch(x, y + 1) != p
    }
}

extension TokenPaint {
    /// Pruned and nothing else (not restored, not merged): the tokens the hatch marks.
    func plainPruned(_ i: Int) -> Bool { !isKept[i] && !isReconstructed[i] && group(i) == nil }
}

/// The last few images resized for the canvases: a cursor move redraws every canvas but resizes
/// nothing. An image is known by its pixel storage, which the entry keeps alive (so no other
/// array can take its address while it is here).
private enum ResampleMemo {
    struct Entry: Sendable {
        let image: RGBImage, address: UInt, width: Int, height: Int, pixels: [Float]
    }
    static let entries = Mutex<[Entry]>([])

    static func resized(_ image: RGBImage, width: Int, height: Int) -> [Float] {
        let address = image.pixels.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        if let hit = entries.withLock({ $0.first { $0.address == address && $0.image.width == image.width && $0.image.height == image.height
                                                    && $0.width == width && $0.height == height }?.pixels }) {
            return hit
        }
        let pixels = Resample.resize(image, width: width, height: height)
        entries.withLock { e in
            if e.count >= 24 { e.removeFirst() }
            e.append(Entry(image: image, address: address, width: width, height: height, pixels: pixels))
        }
        return pixels
    }
}
