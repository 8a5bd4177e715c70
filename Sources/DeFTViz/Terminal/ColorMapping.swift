/// Mapping 24-bit colour to what a terminal can show.
public enum ColorMapping {
    /// The xterm 256-colour index for `c`, as tmux chooses it: the nearer of the 6×6×6 cube and
    /// the 24-step grey ramp (indices 16–255; the low 16 are left alone, terminals redefine them).
    public static func index256(_ c: RGB) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : (v < 114 ? 1 : (v - 35) / 40) }
        let levels = [0, 0x5f, 0x87, 0xaf, 0xd7, 0xff]
        let r = Int(c.r), g = Int(c.g), b = Int(c.b)
        let (qr, qg, qb) = (level(r), level(g), level(b))
        let cube = 16 + 36 * qr + 6 * qg + qb
        let (cr, cg, cb) = (levels[qr], levels[qg], levels[qb])
        if cr == r && cg == g && cb == b { return cube }
        let avg = (r + g + b) / 3
        let gi = avg > 238 ? 23 : max(0, (avg - 3) / 10)
        let gv = 8 + 10 * gi
        func dist(_ x: Int, _ y: Int, _ z: Int) -> Int { (x - r) * (x - r) + (y - g) * (y - g) + (z - b) * (z - b) }
        return dist(gv, gv, gv) < dist(cr, cg, cb) ? 232 + gi : cube
    }

    /// The standard xterm palette of the 16 ANSI colours.
    static let ansi16: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    /// The nearest of the first `count` ANSI colours (8 or 16).
    public static func indexANSI(_ c: RGB, count: Int) -> Int {
        var best = 0, bestD = Int.max
        for (i, p) in ansi16.prefix(count).enumerated() {
            let d = (Int(p.r) - Int(c.r)) * (Int(p.r) - Int(c.r)) * 3 + (Int(p.g) - Int(c.g)) * (Int(p.g) - Int(c.g)) * 4
                + (Int(p.b) - Int(c.b)) * (Int(p.b) - Int(c.b)) * 2
            if d < bestD { bestD = d; best = i }
        }
        return best
    }
}

/// How many colours to use: an explicit choice, then no-color.org's NO_COLOR, then what the terminal says.
public enum ColorDepthDetection {
    /// `explicit` (--color) wins; then NO_COLOR; then COLORTERM or the terminfo's RGB flag; then the
    /// terminfo's colour count.
    public static func decide(explicit: ColorDepth?, environment: [String: String], terminfoColors: Int, terminfoRGB: Bool) -> ColorDepth {
        if let explicit { return explicit }
        if let nc = environment["NO_COLOR"], !nc.isEmpty { return .none }
        let ct = environment["COLORTERM"]?.lowercased() ?? ""
        if terminfoRGB || terminfoColors >= 1 << 24 { return .truecolor }
        if (ct == "truecolor" || ct == "24bit") && terminfoColors >= 256 { return .truecolor }
        if terminfoColors >= 256 { return .xterm256 }
        if terminfoColors >= 16 { return .ansi16 }
        if terminfoColors >= 8 { return .ansi8 }
        return .none
    }
}
