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

    /// The standard xterm palette of the 16 ANSI colours.
    static let ansi16: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    /// The nearest of the first `count` ANSI colours (8 or 16). A grey stays a grey (black, the
    /// greys, white): by plain distance mid-grey text would come out yellow at 8 colours.
    public static func indexANSI(_ c: RGB, count: Int) -> Int {
        var best = 0, bestD = Int.max
        let chroma = Int(max(c.r, c.g, c.b)) - Int(min(c.r, c.g, c.b))
        let candidates = chroma < 40 ? [0, 7, 8, 15].filter { $0 < count } : Array(0..<count)
        for i in candidates {
            let p = ansi16[i]
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
