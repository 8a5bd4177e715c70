/// Strings that reach a figure come from files (titles, paths, text samples): they are cleaned once
/// here so no control character can end up in an SVG, a PNG text chunk or a caption.
extension String {
    /// Control characters (C0, DEL, C1) replaced by U+FFFD; tabs and line breaks become spaces so a
    /// caption stays one line per entry.
    var figureSafe: String {
        String(String.UnicodeScalarView(unicodeScalars.map { s -> Unicode.Scalar in
            switch s.value {
            case 0x09, 0x0A, 0x0D: return " "
            case 0x00..<0x20, 0x7F...0x9F, 0xFFFE, 0xFFFF: return "\u{FFFD}"
            default: return s
            }
        }))
    }

    /// XML character data and attribute values (after `figureSafe`, which removed what XML 1.0 forbids).
    var xmlEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in figureSafe {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
