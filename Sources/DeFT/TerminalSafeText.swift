/// Text from a file made harmless to print on a terminal.
///
/// A file is untrusted: an ESC, a CSI (C1 U+009B), an OSC or a BEL inside a text file, a bundle title
/// or a file name would otherwise reach the terminal in a snapshot or an error line and clear the
/// screen, set the window title or worse (over SSH, a terminal-injection hole). Every control
/// character — C0, DEL, C1 — and the bidirectional embeddings, overrides and isolates (which reorder
/// what is shown, "Trojan Source") are replaced one scalar for one scalar by a visible stand-in:
/// ESC becomes ␛, NUL ␀, DEL ␡, the C1 controls and bidi controls �. One for one, so offsets counted
/// in Unicode scalars (a model's token list) still line up with the cleaned text; and an escape
/// sequence loses its ESC, so the rest of it is plain printable text.
extension String {
    /// One line: every control is replaced, newline and carriage return included; tab becomes a space.
    public var terminalSafe: String { TerminalSafety.clean(self, keepLines: false) }

    /// A multi-line text: newlines stay (they are the line structure a text canvas draws), tab,
    /// carriage return, vertical tab, form feed and NEL become spaces (still whitespace between
    /// words), every other control is replaced.
    public var terminalSafeText: String { TerminalSafety.clean(self, keepLines: true) }

    /// True when printing this could not send the terminal a control.
    public var isTerminalSafe: Bool { !unicodeScalars.contains { TerminalSafety.needsReplacing($0) } }
}

extension Character {
    /// This glyph, or its visible stand-in if it is a control (a control is always a grapheme of its own).
    public var terminalSafe: Character {
        guard let s = unicodeScalars.first, TerminalSafety.needsReplacing(s) else { return self }
        return Character(TerminalSafety.standIn(s, keepLines: false))
    }
}

enum TerminalSafety {
    static func needsReplacing(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    static func standIn(_ s: Unicode.Scalar, keepLines: Bool) -> Unicode.Scalar {
        if keepLines, s == "\n" { return s }
        if keepLines, [0x0B, 0x0C, 0x0D, 0x85].contains(s.value) { return " " }
        switch s.value {
        case 0x09: return " "
        case 0x00...0x1F: return Unicode.Scalar(0x2400 + s.value)!   // Control Pictures: ␀ … ␟
        case 0x7F: return "\u{2421}"                                 // ␡
        default: return "\u{FFFD}"
        }
    }

    static func clean(_ text: String, keepLines: Bool) -> String {
        guard text.unicodeScalars.contains(where: needsReplacing) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars { out.append(needsReplacing(s) ? standIn(s, keepLines: keepLines) : s) }
        return String(out)
    }
}
