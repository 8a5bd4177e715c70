import DeFT

/// A frame as text for stdout: plain glyphs for `.none`, or SGR colour sequences for the chosen depth.
public enum AnsiSnapshot {
    public static func render(_ frame: Frame, depth: ColorDepth) -> String {
        if depth == .none { return frame.text + "\n" }
        var out = ""
        out.reserveCapacity(frame.width * frame.height * (depth == .none ? 1 : 12))
        for y in 0..<frame.height {
            var last: Cell? = nil
            for x in 0..<frame.width {
                let c = frame[x, y]
                if last.map({ $0.fg != c.fg || $0.bg != c.bg || $0.style != c.style }) ?? true {
                    out += sgr(c, depth)
                }
                out.append(c.glyph.terminalSafe)
                last = c
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }

    static func sgr(_ c: Cell, _ depth: ColorDepth) -> String {
        var codes = ["0"]
        if c.style.contains(.bold) { codes.append("1") }
        if c.style.contains(.dim) { codes.append("2") }
        if c.style.contains(.underline) { codes.append("4") }
        if c.style.contains(.reverse) { codes.append("7") }
        if let fg = c.fg { codes.append(colour(fg, depth, background: false)) }
        if let bg = c.bg { codes.append(colour(bg, depth, background: true)) }
        return "\u{1B}[" + codes.filter { !$0.isEmpty }.joined(separator: ";") + "m"
    }

    static func colour(_ c: RGB, _ depth: ColorDepth, background: Bool) -> String {
        switch depth {
        case .none: return ""
        case .truecolor: return "\(background ? 48 : 38);2;\(c.r);\(c.g);\(c.b)"
        case .xterm256: return "\(background ? 48 : 38);5;\(TerminalPalette.index256(c))"
        case .ansi16, .ansi8:
            let i = TerminalPalette.indexANSI(c, count: depth == .ansi16 ? 16 : 8)
            return String((i < 8 ? (background ? 40 : 30) : (background ? 100 : 90)) + i % 8)
        }
    }
}
