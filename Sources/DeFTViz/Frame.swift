import DeFT

/// A 24-bit colour. Frames always hold full colour; the terminal backend (or the snapshot
/// printer) maps it to what the terminal can show.
public struct RGB: Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
}

/// Text attributes that carry information when there is no colour at all (NO_COLOR).
public struct CellStyle: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellStyle(rawValue: 1)
    public static let dim = CellStyle(rawValue: 2)
    public static let underline = CellStyle(rawValue: 4)
    public static let reverse = CellStyle(rawValue: 8)
}

/// One terminal cell: a single-width glyph, optional colours (nil = terminal default), style.
public struct Cell: Hashable, Sendable {
    public var glyph: Character
    public var fg: RGB?
    public var bg: RGB?
    public var style: CellStyle
    public init(_ glyph: Character = " ", fg: RGB? = nil, bg: RGB? = nil, style: CellStyle = []) {
        self.glyph = glyph; self.fg = fg; self.bg = bg; self.style = style
    }
    public static let blank = Cell()
}

/// An in-memory screen: what `view` draws and what the backend diffs against the last one.
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(width, 0); self.height = max(height, 0)
        cells = [Cell](repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y), clipped at the right edge and at `maxWidth`; returns the
    /// column after the last glyph written. Controls become visible stand-ins (the loaders already
    /// clean what comes from files; this is the second line of defence).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, fg: RGB? = nil, bg: RGB? = nil,
                             style: CellStyle = [], maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return x }
        var cx = x
        let limit = min(width, maxWidth == .max ? width : x + maxWidth)
        for ch in text {
            if cx >= limit { break }
            if cx >= 0 { cells[y * width + cx] = Cell(ch.terminalSafe, fg: fg, bg: bg, style: style) }
            cx += 1
        }
        return cx
    }

    /// The glyphs only, one line per row, trailing spaces kept: the text snapshot of a frame.
    public var text: String {
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map(\.glyph.terminalSafe)) }
            .joined(separator: "\n")
    }
}
