import Foundation

/// The asciicast v2 format (asciinema's): a JSON header line, then one JSON array a line per event,
/// `[seconds, "o", output]` or `[seconds, "r", "WxH"]`. Pure formatting; `CastRecorder` does the I/O.
public enum Asciicast {
    public static func header(width: Int, height: Int, timestamp: Int, environment: [String: String]) -> String {
        let env = ["TERM", "SHELL", "LANG", "COLORTERM"].compactMap { k in environment[k].map { "\(string(k)): \(string($0))" } }
        return "{\"version\": 2, \"width\": \(width), \"height\": \(height), \"timestamp\": \(timestamp), "
            + "\"env\": {\(env.joined(separator: ", "))}}\n"
    }

    public static func output(at t: Double, _ text: String) -> String { event(t, "o", text) }
    public static func resize(at t: Double, width: Int, height: Int) -> String { event(t, "r", "\(width)x\(height)") }

    static func event(_ t: Double, _ code: String, _ data: String) -> String {
        "[\(String(format: "%.6f", t)), \(string(code)), \(string(data))]\n"
    }

    /// A JSON string literal: quotes, backslashes and every control character escaped (the output
    /// is full of ESC), the rest left as UTF-8.
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7F: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Splits bytes before an incomplete UTF-8 sequence at the end, so that no event cuts a
    /// character in two: (what can be sent now, what waits for the next read).
    static func splitUTF8(_ bytes: [UInt8]) -> (complete: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
        // A sequence is at most 4 bytes: look back at most 3 for its lead byte.
        var i = bytes.count
        var back = 0
        while i > 0, back < 4 {
            let b = bytes[i - 1]
            if b & 0xC0 == 0x80 { i -= 1; back += 1; continue }      // continuation byte
            if b >= 0xC0 {                                            // lead byte: is its sequence whole?
                let need = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2)
                if back + 1 < need { return (bytes[..<(i - 1)], bytes[(i - 1)...]) }
            }
            break
        }
        return (bytes[...], [])
    }
}
