/// Strings that reach a figure come from files (titles, paths, text samples): they are cleaned once
/// here so no control character can end up in an SVG, a PNG text chunk or a caption.
extension String {
    /// The one sanitiser every string from a file goes through (`terminalSafe`: controls become
    /// visible stand-ins, one line), plus the two non-characters XML 1.0 forbids.
    var figureSafe: String {
        String(String.UnicodeScalarView(terminalSafe.unicodeScalars.map { $0.value == 0xFFFE || $0.value == 0xFFFF ? "\u{FFFD}" : $0 }))
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
