/// A way to cut N tokens down to k: DeFT, or one of the baselines a user would reach for instead.
public enum Method: String, CaseIterable, Sendable, Codable {
    case deft, saliency, norm, random, uniform, tome

    /// The baselines, in the order the viewer cycles through them.
    public static let baselines: [Method] = [.random, .uniform, .norm, .saliency, .tome]

    public var title: String {
        switch self {
        case .deft: return "DeFT"
        case .saliency: return "saliency only"
        case .norm: return "L2 norm"
        case .random: return "random"
        case .uniform: return "uniform"
        case .tome: return "ToMe merge"
        }
    }

    /// One line on what the method keeps.
    public var summary: String {
        switch self {
        case .deft: return "top-k of the combined score (saliency, feedback, group)"
        case .saliency: return "top-k of s_sem alone: DeFT without group and feedback"
        case .norm: return "the k tokens of largest L2 norm"
        case .random: return "k tokens drawn at random (seeded)"
        case .uniform: return "k tokens spread evenly in space and time (farthest-point order)"
        case .tome: return "bipartite soft matching: the most similar pairs merged until k remain"
        }
    }

    /// ToMe merges instead of pruning; everything else keeps a subset of the tokens.
    public var merges: Bool { self == .tome }
}
