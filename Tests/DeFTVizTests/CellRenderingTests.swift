import DeFT
import DeFTMedia
import Testing
@testable import DeFTViz

/// libchafa's cells for tiny synthetic pictures, read back pixel by pixel: the symbol's mask picks
/// the foreground or the background colour of each of the cell's pixels.
@Suite struct CellRenderingTests {
    static let red = RGB(255, 0, 0), blue = RGB(0, 0, 255)

    /// The pixels a cell shows, row-major within the cell.
    func decode(_ cell: Cell, _ symbols: CellSymbols) -> [RGB?] {
        let n = symbols.subPixels.x * symbols.subPixels.y
        guard let mask = (0..<(1 << n)).first(where: { symbols.glyph(mask: $0) == cell.glyph }) else { return [] }
        return (0..<n).map { mask >> $0 & 1 == 1 ? cell.fg : cell.bg }
    }

    /// One cell, its pixels red where `on` holds and blue elsewhere.
    func render(_ symbols: CellSymbols, _ depth: ColorDepth, on: (Int) -> Bool) -> Cell? {
        let n = symbols.subPixels.x * symbols.subPixels.y
        let pixels = (0..<n).flatMap { i -> [UInt8] in let c = on(i) ? Self.red : Self.blue; return [c.r, c.g, c.b] }
        return CellQuantiser.cells(.init(pixels: pixels, columns: 1, rows: 1, symbols: symbols, depth: depth)).first
    }

    /// Red and blue as each depth shows them: exact in 24-bit and at 256 colours; at 16 libchafa's
    /// bright entries; at 8 the palette rule's dark ones.
    static let shown: [ColorDepth: (RGB, RGB)] = [
        .truecolor: (red, blue), .xterm256: (red, blue),
        .ansi16: (TerminalPalette.ansi16[9], TerminalPalette.ansi16[12]), .ansi8: (TerminalPalette.ansi16[1], TerminalPalette.ansi16[4]),
    ]

    @Test(arguments: CellSymbols.allCases, [ColorDepth.truecolor, .xterm256, .ansi16, .ansi8])
    func aTwoColourCellComesBackPixelForPixel(_ symbols: CellSymbols, _ depth: ColorDepth) throws {
        let n = symbols.subPixels.x * symbols.subPixels.y
        let (r, b) = Self.shown[depth]!
        // Every shape the symbols can draw: the first pixel alone, the top row, a diagonal, all but the last.
        let shapes: [(Int) -> Bool] = [{ $0 == 0 }, { $0 < symbols.subPixels.x }, { $0 % 3 == 0 }, { $0 < n - 1 }]
        for on in shapes {
            let cell = try #require(render(symbols, depth, on: on))
            #expect(decode(cell, symbols) == (0..<n).map { on($0) ? r : b }, "\(symbols) at \(depth): \(cell)")
        }
    }

    @Test func symbolsDrawTheirOwnGlyphs() {
        #expect(render(.half, .truecolor) { $0 == 0 }.map { "▀▄".contains($0.glyph) } == true)
        #expect(render(.quad, .truecolor) { $0 == 0 }.map { "▘▟".contains($0.glyph) } == true)
        let sextant = render(.sextant, .truecolor) { $0 == 0 }!.glyph.unicodeScalars.first!.value
        #expect((0x1FB00...0x1FB3B).contains(sextant))
    }

    @Test func sextantGlyphsFollowUnicodeOrder() {
        #expect(CellSymbols.sextant.glyph(mask: 1) == "\u{1FB00}")
        #expect(CellSymbols.sextant.glyph(mask: 20) == "\u{1FB13}")
        #expect(CellSymbols.sextant.glyph(mask: 21) == "▌")
        #expect(CellSymbols.sextant.glyph(mask: 22) == "\u{1FB14}")
        #expect(CellSymbols.sextant.glyph(mask: 62) == "\u{1FB3B}")
        #expect(Set((0..<64).map { CellSymbols.sextant.glyph(mask: $0) }).count == 64)
        #expect(Set((0..<16).map { CellSymbols.quad.glyph(mask: $0) }).count == 16)
    }

    @Test func paletteColoursRoundTripThroughTheBackend() {
        for i in 16..<256 { #expect(TerminalPalette.index256(TerminalPalette.colour256(i)) == i) }
        for i in 0..<16 { #expect(TerminalPalette.indexANSI(TerminalPalette.ansi16[i], count: 16) == i) }
        for i in 0..<8 { #expect(TerminalPalette.indexANSI(TerminalPalette.ansi16[i], count: 8) == i) }
    }

    @Test func clearHuesStayHuesAtFewColours() {
        #expect(TerminalPalette.indexANSI(Theme.kept, count: 8) == 2)
        #expect(TerminalPalette.indexANSI(Theme.pruned, count: 8) == 1)
        #expect([2, 10].contains(TerminalPalette.indexANSI(Theme.kept, count: 16)))
        #expect([1, 9].contains(TerminalPalette.indexANSI(Theme.pruned, count: 16)))
    }

    /// Kept patches look as they do with everything kept; pruned ones differ, at every depth.
    @Test(arguments: [ColorDepth.truecolor, .xterm256, .ansi16, .ansi8], CellSymbols.allCases)
    func prunedCellsDifferFromKeptCells(_ depth: ColorDepth, _ symbols: CellSymbols) {
        var s = Fixtures.state([Fixtures.image], width: 100, height: 30, depth: depth)
        s.symbols = symbols; s.ratio = 0.5; s.snapshot = true
        var all = s; all.ratio = 1
        let sel = s.selection!
        let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: ScreenLayout(s).canvas, grid: (6, 6))
        let f = view(s), full = view(all)
        /// The cells wholly inside patch p.
        func inside(_ p: Int) -> [(Int, Int)] {
            (0..<(place.pixelHeight / 2)).flatMap { cy in (0..<place.pixelWidth).map { (place.origin.x + $0, place.origin.y + cy) } }
                .filter { (x, y) in place.patch(cellX: x, cellY: y) == p && place.patch(px: x - place.origin.x, py: (y - place.origin.y) * 2 + 1) == p
                    && place.patch(px: x - place.origin.x - 1, py: (y - place.origin.y) * 2) == p && place.patch(px: x - place.origin.x + 1, py: (y - place.origin.y) * 2) == p
                    && place.patch(px: x - place.origin.x, py: (y - place.origin.y) * 2 - 1) == p && place.patch(px: x - place.origin.x, py: (y - place.origin.y) * 2 + 2) == p }
        }
        for p in sel.kept {
            let diff = inside(p).filter { decode(f[$0.0, $0.1], symbols) != decode(full[$0.0, $0.1], symbols) }
            #expect(diff.isEmpty, "kept patch \(p) changed at \(depth): \(diff.first.map { "\($0) \(f[$0.0, $0.1]) vs \(full[$0.0, $0.1])" } ?? "")")
        }
        // In many colours every cell of a pruned patch is dimmed; in 16 and 8 a dark patch may stay
        // black, and then its hatch still marks it.
        for p in sel.pruned {
            let cells = inside(p)
            let changed = cells.filter { decode(f[$0.0, $0.1], symbols) != decode(full[$0.0, $0.1], symbols) }.count
            let enough = depth == .truecolor || depth == .xterm256 ? changed * 10 >= cells.count * 9 : changed > 0
            #expect(cells.count >= 4 && enough, "pruned patch \(p): \(changed) of \(cells.count) cells differ at \(depth)")
        }
    }

    /// The hatch is in the pixels libchafa quantises: on a flat grey picture the pruned patches
    /// show more than one colour, in other shares than the kept ones.
    @Test(arguments: [ColorDepth.xterm256, .ansi16, .ansi8])
    func prunedFlatPatchesAreTextured(_ depth: ColorDepth) {
        let flat = Fixtures.scored(.image(RGBImage(width: 48, height: 48, pixels: [UInt8](repeating: 90, count: 48 * 48 * 3))),
                                   layout: .image(height: 6, width: 6))
        var s = Fixtures.state([flat], width: 100, height: 30, depth: depth)
        s.snapshot = true
        let sel = s.selection!
        let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: ScreenLayout(s).canvas, grid: (6, 6))
        let f = view(s)
        /// Each colour's share of the pixels shown in kept or in pruned patches.
        func shares(_ kept: Bool) -> [RGB: Double] {
            var count: [RGB: Double] = [:], total = 0.0
            for cy in 0..<(place.pixelHeight / 2) {
                for x in 0..<place.pixelWidth {
                    let cx = place.origin.x + x, y = place.origin.y + cy
                    guard let p = place.patch(cellX: cx, cellY: y), sel.isKept[p] == kept else { continue }
                    for c in decode(f[cx, y], s.symbols) { count[c!, default: 0] += 1; total += 1 }
                }
            }
            return count.mapValues { $0 / total }
        }
        let pruned = shares(false), kept = shares(true)
        #expect(pruned.count >= 2, "pruned at \(depth): \(pruned)")
        let colours = Set(pruned.keys).union(kept.keys)
        #expect(colours.contains { abs(pruned[$0, default: 0] - kept[$0, default: 0]) >= 0.05 }, "\(pruned) vs \(kept)")
    }

    @Test func theSameCanvasIsQuantisedOnce() {
        let r = CellQuantiser.Request(pixels: [UInt8](repeating: 7, count: 2 * 2 * 3 * 5), columns: 5, rows: 1, symbols: .quad, depth: .xterm256)
        let a = CellQuantiser.cells(r), b = CellQuantiser.cells(r)
        #expect(a == b && a.count == 5)
    }
}
