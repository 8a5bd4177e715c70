import Foundation
/// Mapping 24-bit colour to what a terminal can show.
public enum TerminalPalette {
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

    /// The colour xterm shows for 256-colour index `i` (the inverse of `index256` on 16–255).
    public static func colour256(_ i: Int) -> RGB {
        guard i >= 16 else { return ansi16[max(i, 0)] }
        guard i < 232 else { let v = UInt8(8 + 10 * (min(i, 255) - 232)); return RGB(v, v, v) }
        let levels: [UInt8] = [0, 0x5f, 0x87, 0xaf, 0xd7, 0xff], c = i - 16
        return RGB(levels[c / 36], levels[c / 6 % 6], levels[c % 6])
    }

    /// The standard xterm palette of the 16 ANSI colours.
    static let ansi16: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    /// The nearest of the first `count` ANSI colours (8 or 16). A grey stays a grey (black, the
    /// greys, white): by plain distance mid-grey text would come out yellow at 8 colours. A clear
    /// hue stays a hue: by plain distance the kept green and the pruned red would both be grey.
    public static func indexANSI(_ c: RGB, count: Int) -> Int {
        let chroma = Int(max(c.r, c.g, c.b)) - Int(min(c.r, c.g, c.b))
        let greys = [0, 7, 8, 15]
        func distance(_ i: Int) -> Int {
            let p = ansi16[i]
            return (Int(p.r) - Int(c.r)) * (Int(p.r) - Int(c.r)) * 3 + (Int(p.g) - Int(c.g)) * (Int(p.g) - Int(c.g)) * 4
                + (Int(p.b) - Int(c.b)) * (Int(p.b) - Int(c.b)) * 2
        }
        if chroma < 40 { return greys.filter { $0 < count }.min { distance($0) < distance($1) }! }
        let hues = (0..<count).filter { !greys.contains($0) }
        if chroma < 80 { return (0..<count).min { distance($0) < distance($1) }! }
        // The nearest hue, then the nearer of its dark and bright entries.
        func hueGap(_ i: Int) -> Double { let d = abs(hue(ansi16[i]) - hue(c)); return min(d, 360 - d) }
        return hues.min { (hueGap($0), distance($0)) < (hueGap($1), distance($1)) }!
    }

    /// The hue angle in degrees (HSV), 0 for greys.
    static func hue(_ c: RGB) -> Double {
        let r = Double(c.r), g = Double(c.g), b = Double(c.b)
        let hi = max(r, g, b), d = hi - min(r, g, b)
        guard d > 0 else { return 0 }
        let h = hi == r ? (g - b) / d : (hi == g ? (b - r) / d + 2 : (r - g) / d + 4)
        return (h * 60 + 360).truncatingRemainder(dividingBy: 360)
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

/// Which terminfo to start on when the environment promises 24-bit colour but TERM names a 256-colour
/// entry (what most terminals, and SSH, pass on).
public enum DirectColour {
    /// The `-direct` entry to use instead of TERM, or nil to keep TERM. Only xterm and tmux families
    /// have a -direct sibling whose keys match; an explicit --color other than truecolor keeps TERM.
    public static func terminfo(term: String?, colorterm: String?, requested: ColorDepth?, noColor: Bool,
                                exists: (String) -> Bool) -> String? {
        guard let term, !term.hasSuffix("-direct") else { return nil }
        if let requested, requested != .truecolor { return nil }
        if requested == nil {
            let ct = colorterm?.lowercased() ?? ""
            guard !noColor, ct == "truecolor" || ct == "24bit" else { return nil }
        }
        let base = term.hasSuffix("-256color") ? String(term.dropLast("-256color".count)) : term
        guard base == "xterm" || base == "tmux" else { return nil }
        let candidate = base + "-direct"
        return exists(candidate) ? candidate : nil
    }

    /// True when a compiled terminfo entry of that name is in one of ncurses' standard places.
    public static func installed(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        let env = ProcessInfo.processInfo.environment
        var dirs = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        if let home = env["HOME"] { dirs.insert(home + "/.terminfo", at: 0) }
        if let t = env["TERMINFO"] { dirs.insert(t, at: 0) }
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        return dirs.contains { d in
            FileManager.default.fileExists(atPath: "\(d)/\(first)/\(name)") || FileManager.default.fileExists(atPath: "\(d)/\(hex)/\(name)")
        }
    }
}
