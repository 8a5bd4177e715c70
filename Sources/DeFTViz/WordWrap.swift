/// Breaks text into lines of at most `width` characters at spaces; a word longer than a whole line
/// is the only thing ever cut (mid-word, as nothing else would fit).
func wordWrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        var word = Substring(word)
        if current.isEmpty {
            // A word wider than a line fills whole lines first.
            while word.count > width { lines.append(String(word.prefix(width))); word = word.dropFirst(width) }
            current = String(word)
        } else if current.count + 1 + word.count <= width {
            current += " " + word
        } else {
            lines.append(current)
            current = ""
            while word.count > width { lines.append(String(word.prefix(width))); word = word.dropFirst(width) }
            current = String(word)
        }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
}
