/// How a wordpiece sequence longer than the model's window is cut: windows of `width` content pieces
/// (the model's length minus [CLS] and [SEP]) with a stride of half a window, the last one aligned to the
/// end; every piece takes its vector from the window where it sits most centrally (the earlier window
/// on a tie), so each piece sees about a quarter window of context or more on both sides where the text has it.
public struct TextWindows: Sendable, Equatable {
    /// Content-piece ranges, one per window, in order.
    public let windows: [Range<Int>]
    /// For each piece, the index of the window its vector comes from.
    public let owner: [Int]

    public init(count: Int, width: Int) {
        precondition(width >= 2 && count >= 0)
        var starts: [Int]
        if count <= width {
            starts = [0]
        } else {
            let stride = width / 2
            starts = Array(Swift.stride(from: 0, to: count - width, by: stride))
            if starts.last != count - width { starts.append(count - width) }
        }
        windows = starts.map { $0..<min($0 + width, count) }
        var owner = [Int](repeating: 0, count: count)
        for i in 0..<count {
            var best = Int.max
            for (k, w) in windows.enumerated() where w.contains(i) {
                // Twice the distance from the window's centre, in integers.
                let distance = abs(2 * i + 1 - (w.lowerBound + w.upperBound))
                if distance < best { best = distance; owner[i] = k }
            }
        }
        self.owner = owner
    }
}
