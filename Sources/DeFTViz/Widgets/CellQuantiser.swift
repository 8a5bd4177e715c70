import CChafa
import Synchronization

/// Pixels into terminal cells, by libchafa: for each cell the symbol and the two colours that best
/// match its pixels, chosen perceptually and, at 16 and 8 colours, dithered. The only code that
/// calls libchafa for cells; what it returns depends on its inputs alone.
enum CellQuantiser {
    /// A picture already sized to the canvas: `columns · sx` × `rows · sy` RGB pixels for the
    /// symbols' sx × sy pixels a cell.
    struct Request: Hashable, Sendable {
        let pixels: [UInt8]
        let columns: Int
        let rows: Int
        let symbols: CellSymbols
        let depth: ColorDepth
    }

    /// The cells, row-major, `columns × rows`; colours as the terminal will show them (palette
    /// entries at 256, 16 and 8 colours), so a frame's colours round-trip through the backend.
    static func cells(_ r: Request) -> [Cell] {
        guard r.columns > 0, r.rows > 0, r.depth != .none,
              r.pixels.count == r.columns * r.symbols.subPixels.x * r.rows * r.symbols.subPixels.y * 3 else { return [] }
        // A scrub redraws every frame but changes few canvases (a cursor move changes none: its
        // outline is drawn over the cells): the same pixels give the same cells without libchafa.
        if let hit = cache.withLock({ $0.lookup(r) }) { return hit }
        let cells = quantise(r)
        cache.withLock { $0.insert(r, cells) }
        return cells
    }

    private static let cache = Mutex(Memo(capacity: 64))

    private static func quantise(_ r: Request) -> [Cell] {
        let map = chafa_symbol_map_new()!
        defer { chafa_symbol_map_unref(map) }
        chafa_symbol_map_add_by_tags(map, tags(r.symbols))
        let config = chafa_canvas_config_new()!
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, Int32(r.columns), Int32(r.rows))
        chafa_canvas_config_set_cell_geometry(config, 8, 8)
        chafa_canvas_config_set_symbol_map(config, map)
        chafa_canvas_config_set_canvas_mode(config, mode(r.depth))
        // Its contrast stretch would lift the dimmed (pruned) patches back towards the kept ones.
        chafa_canvas_config_set_preprocessing_enabled(config, 0)
        if r.depth == .ansi16 {
            // Few colours: ordered dithering keeps a hue's mix (and the hatch) where a flat nearest
            // colour would turn an orange suit into red and grey patches. (libchafa's perceptual
            // DIN99d space costs eight times as much a frame and turned orange into plain red.)
            chafa_canvas_config_set_dither_mode(config, CHAFA_DITHER_MODE_ORDERED)
        }
        let canvas = chafa_canvas_new(config)!
        defer { chafa_canvas_unref(canvas) }
        let rgba = cellPixels(r)
        let width = r.columns * 8, height = r.rows * 8
        rgba.withUnsafeBufferPointer { p in
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, p.baseAddress, Int32(width), Int32(height), Int32(width * 4))
        }
        var out: [Cell] = []
        out.reserveCapacity(r.columns * r.rows)
        for y in 0..<r.rows {
            for x in 0..<r.columns {
                let ch = chafa_canvas_get_char_at(canvas, Int32(x), Int32(y))
                var fg: Int32 = 0, bg: Int32 = 0
                chafa_canvas_get_raw_colors_at(canvas, Int32(x), Int32(y), &fg, &bg)
                let glyph = Unicode.Scalar(UInt32(ch)).map(Character.init) ?? " "
                out.append(Cell(glyph, fg: colour(fg, r.depth), bg: colour(bg, r.depth)))
            }
        }
        return out
    }

    /// Exactly the shapes `CellSymbols.glyph(mask:)` names, and the space and the full block. In
    /// libchafa's tags ▀▄ are the vertical halves, ▌▐ the horizontal ones, and its quadrants and
    /// sextants leave out the halves they include.
    private static func tags(_ s: CellSymbols) -> ChafaSymbolTags {
        let shapes: [ChafaSymbolTags] = switch s {
        case .half: [CHAFA_SYMBOL_TAG_VHALF]
        case .quad: [CHAFA_SYMBOL_TAG_QUAD, CHAFA_SYMBOL_TAG_VHALF, CHAFA_SYMBOL_TAG_HHALF]
        case .sextant: [CHAFA_SYMBOL_TAG_SEXTANT, CHAFA_SYMBOL_TAG_HHALF]
        }
        return ChafaSymbolTags(rawValue: (shapes + [CHAFA_SYMBOL_TAG_SPACE, CHAFA_SYMBOL_TAG_SOLID]).reduce(0) { $0 | $1.rawValue })
    }

    /// At 256 colours the 240 that terminals do not redefine (the low 16 are themes' own colours).
    private static func mode(_ d: ColorDepth) -> ChafaCanvasMode {
        switch d {
        case .truecolor: CHAFA_CANVAS_MODE_TRUECOLOR
        case .xterm256: CHAFA_CANVAS_MODE_INDEXED_240
        case .ansi16: CHAFA_CANVAS_MODE_INDEXED_16
        // Eight colours have no grey between black and white: libchafa dithers greys with yellow or
        // cyan. It chooses the shapes in full colour instead and the palette rule (greys stay grey,
        // hues stay hues) colours them.
        case .ansi8, .none: CHAFA_CANVAS_MODE_TRUECOLOR
        }
    }

    /// libchafa's 16-colour palette is VGA's (dark entries at 0x70–0x80, greys 0x40 and 0xc0), a
    /// terminal's is xterm's (dark entries at 205, greys 127 and 229): each channel is moved from
    /// the one scale to the other, so libchafa's nearest entry is the one the terminal shows nearest.
    private static func towardsVGA(_ v: UInt8) -> UInt8 {
        v <= 205 ? UInt8(Int(v) * 120 / 205) : UInt8(120 + (Int(v) - 205) * 135 / 50)
    }

    /// A raw canvas colour as RGB: packed RGB in truecolor, else the palette entry it indexes.
    private static func colour(_ raw: Int32, _ d: ColorDepth) -> RGB? {
        guard raw >= 0 else { return nil }
        switch d {
        case .truecolor: return RGB(UInt8(raw >> 16 & 255), UInt8(raw >> 8 & 255), UInt8(raw & 255))
        case .ansi8: return TerminalPalette.ansi16[TerminalPalette.indexANSI(RGB(UInt8(raw >> 16 & 255), UInt8(raw >> 8 & 255), UInt8(raw & 255)), count: 8)]
        case .xterm256: return raw < 256 ? TerminalPalette.colour256(Int(raw)) : nil
        case .ansi16: return raw < 16 ? TerminalPalette.ansi16[Int(raw)] : nil
        case .none: return nil
        }
    }

    /// The pixels at libchafa's working size, 8×8 a cell, each sub-pixel a block whose edges fall
    /// where the symbols' do, so an outline one sub-pixel wide is a symbol's edge, not a blur.
    private static func cellPixels(_ r: Request) -> [UInt8] {
        let (sx, sy) = r.symbols.subPixels
        let w = r.columns * 8, h = r.rows * 8, srcW = r.columns * sx
        func source(_ starts: [Int], _ per: Int) -> [Int] {
            (0..<8).map { p in (0..<per).last { starts[$0] <= p }! }
        }
        let colIn = source(r.symbols.columnStarts, sx), rowIn = source(r.symbols.rowStarts, sy)
        let warp = r.depth == .ansi16
        var out = [UInt8](repeating: 255, count: w * h * 4)
        r.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let sRow = (y / 8) * sy + rowIn[y % 8]
                    for x in 0..<w {
                        let s = (sRow * srcW + (x / 8) * sx + colIn[x % 8]) * 3, d = (y * w + x) * 4
                        if warp { dst[d] = towardsVGA(src[s]); dst[d + 1] = towardsVGA(src[s + 1]); dst[d + 2] = towardsVGA(src[s + 2]) }
                        else { dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2] }
                    }
                }
            }
        }
        return out
    }

    /// The last few requests and their cells, most recent last.
    struct Memo: ~Copyable {
        let capacity: Int
        var entries: [(hash: Int, request: Request, cells: [Cell])] = []
        init(capacity: Int) { self.capacity = capacity }
        mutating func lookup(_ r: Request) -> [Cell]? {
            let h = r.hashValue
            guard let i = entries.firstIndex(where: { $0.hash == h && $0.request == r }) else { return nil }
            let e = entries.remove(at: i)
            entries.append(e)
            return e.cells
        }
        mutating func insert(_ r: Request, _ cells: [Cell]) {
            if entries.count >= capacity { entries.removeFirst() }
            entries.append((r.hashValue, r, cells))
        }
    }
}
