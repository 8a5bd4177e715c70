/// Line plots at 2×4 dots per cell (Unicode braille), pure: series in, cells out.
public struct BraillePlot: Sendable {
    public let columns: Int
    public let rows: Int
    /// Per cell: the lit dots (braille bit order) and the last series that lit one.
    public private(set) var dots: [UInt8]
    public private(set) var owner: [Int?]

    public init(columns: Int, rows: Int) {
        self.columns = max(columns, 0); self.rows = max(rows, 0)
        dots = [UInt8](repeating: 0, count: self.columns * self.rows)
        owner = [Int?](repeating: nil, count: self.columns * self.rows)
    }

    /// Bits of the braille cell for dot (dx, dy), dx in 0...1, dy in 0...3 (U+2800 + bits).
    static let bit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Draws a polyline of points in [0, 1]² (y up) as series `series`.
    public mutating func line(_ points: [(x: Double, y: Double)], series: Int) {
        let w = columns * 2, h = rows * 4
        guard w > 0, h > 0 else { return }
        func dot(_ p: (x: Double, y: Double)) -> (Int, Int) {
            let x = Int((min(max(p.x, 0), 1) * Double(w - 1)).rounded())
            let y = Int(((1 - min(max(p.y, 0), 1)) * Double(h - 1)).rounded())
            return (x, y)
        }
        let ds = points.map(dot)
        if ds.count == 1 { light(ds[0].0, ds[0].1, series) }
        for (a, b) in zip(ds, ds.dropFirst()) {
            // Bresenham between consecutive points.
            var (x, y) = a
            let dx = abs(b.0 - x), dy = -abs(b.1 - y), sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
            var err = dx + dy
            while true {
                light(x, y, series)
                if x == b.0 && y == b.1 { break }
                let e2 = 2 * err
                if e2 >= dy { err += dy; x += sx }
                if e2 <= dx { err += dx; y += sy }
            }
        }
    }

    private mutating func light(_ x: Int, _ y: Int, _ series: Int) {
        let c = (y / 4) * columns + x / 2
        dots[c] |= Self.bit[x % 2][y % 4]
        owner[c] = series
    }

    /// The glyph of cell (c, r): braille, or "*" / " " without Unicode.
    public func glyph(_ c: Int, _ r: Int, unicode: Bool) -> Character {
        let m = dots[r * columns + c]
        guard m != 0 else { return " " }
        return unicode ? Character(Unicode.Scalar(0x2800 + UInt32(m))!) : "*"
    }
}
