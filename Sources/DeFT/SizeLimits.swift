/// Sizes computed from a file or an option, checked before anything is allocated: a product that
/// overflows Int, or asks for more than deft will allocate, is a one-line DeFTError naming the file or
/// option and the limit — never an overflow trap or a failed allocation.
public enum SizeLimits {
    /// Widest layer deft builds from a config or an option (d′, mm_hidden_size, a head's classes): 4096,
    /// 8× the reference's d′ = 512. The module holds three d′×d′ matrices, so this bounds it at 200 MB.
    public static let maxWidth = 4096
    /// Widest token a config may declare (mm_hidden_size): 65 536, past every vision encoder.
    public static let maxTokenWidth = 1 << 16
    /// Most tokens a cost estimate takes (--visual, --text-tokens): 10¹², far past any model's context.
    public static let maxCostTokens = 1_000_000_000_000

    /// a · b · …, or an error naming `source` when the product overflows or exceeds `limit`.
    public static func product(_ factors: [Int], source: String, what: String, limit: Int = .max) throws -> Int {
        var p = 1
        for f in factors {
            let (r, overflow) = p.multipliedReportingOverflow(by: f)
            guard !overflow, r <= limit else {
                throw DeFTError(source, "\(what) \(factors.map(String.init).joined(separator: "×")) is more than deft's limit of \(limit)")
            }
            p = r
        }
        return p
    }

    /// `value` if it is within 1…`limit`, else an error naming `source`.
    public static func positive(_ value: Int, source: String, what: String, limit: Int) throws -> Int {
        guard value >= 1 else { throw DeFTError(source, "\(what) must be at least 1, got \(value)") }
        guard value <= limit else { throw DeFTError(source, "\(what) \(value) is more than deft's limit of \(limit)") }
        return value
    }
}
