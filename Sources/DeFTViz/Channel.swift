import DeFT

/// Which per-token number colours the canvas.
public enum Channel: String, CaseIterable, Sendable {
    case combined, saliency, feedback, group, rank

    public var title: String {
        switch self {
        case .combined: return "combined score s"
        case .saliency: return "saliency s_sem"
        case .feedback: return "feedback s_fb"
        case .group: return "group s_group"
        case .rank: return "rank (bright = kept first)"
        }
    }

    /// The channel's raw values per token.
    public func values(_ s: TokenScores) -> [Float] {
        switch self {
        case .combined: return s.combined
        case .saliency: return s.saliency
        case .feedback: return s.feedback
        case .group: return s.group
        case .rank: return s.rank.map { Float(s.count - 1 - $0) }
        }
    }

    /// The colour bar's two ends in the channel's own terms: the dark end first.
    func ends(_ v: ChannelValues, scores s: TokenScores) -> (String, String) {
        switch self {
        case .rank: return ("worst \(s.count)", "best 1")
        case .feedback where !s.hasFeedback: return ("no feedback", "")
        case .feedback: return (String(format: "%.2e", v.low), String(format: "%.2e", v.high))
        default: return (String(format: "%.3f", v.low), String(format: "%.3f", v.high))
        }
    }

    public var next: Channel { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }
}

/// A channel's values mapped to [0, 1] for colouring, with the range that maps to the ends.
public struct ChannelValues: Sendable {
    public let raw: [Float]
    public let low: Float
    public let high: Float

    public init(_ raw: [Float]) {
        self.raw = raw
        low = raw.min() ?? 0
        high = raw.max() ?? 0
    }

    /// Position of token i in [low, high]; a constant channel is 0 everywhere.
    public func unit(_ i: Int) -> Float { high > low ? (raw[i] - low) / (high - low) : 0 }
}
