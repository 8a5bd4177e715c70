/// Keep ratios on the command line are fractions in (0, 1], as the paper writes 0.482.
enum RatioOption {
    /// The one line a bad ratio gets: a percentage typed by habit is answered with its fraction.
    static func problem(_ ratio: Double) -> String {
        let hint = ratio > 1 && ratio <= 100 ? " (for \(ratio.formatted()) % write \((ratio / 100).formatted()))" : ""
        return "--ratio: the keep ratio must be in (0, 1], got \(ratio.formatted())\(hint)"
    }
}
