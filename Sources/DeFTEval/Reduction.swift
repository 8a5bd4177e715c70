/// N tokens cut down to k by one method at one ratio.
///
/// A pruning method keeps k of the tokens. ToMe keeps k merged tokens; each sits in the slot of
/// the original token that absorbed the others (its anchor), and `anchor[i]` names the slot that
/// carries token i. For pruning, `anchor` is nil: a pruned token is simply gone.
public struct Reduction: Sendable, Equatable {
    public let method: Method
    public let k: Int
    /// True for the k tokens (or anchors) that reach the model.
    public let isKept: [Bool]
    public let anchor: [Int]?

    public init(method: Method, k: Int, isKept: [Bool], anchor: [Int]? = nil) {
        self.method = method; self.k = k; self.isKept = isKept; self.anchor = anchor
    }

    /// The first k of a ranking.
    public init(method: Method, ranking: [Int], k: Int) {
        var kept = [Bool](repeating: false, count: ranking.count)
        for i in ranking.prefix(k) { kept[i] = true }
        self.init(method: method, k: k, isKept: kept)
    }

    /// Tokens that sit in a merge group of more than one (ToMe only).
    public var groupSizes: [Int: Int] {
        guard let anchor else { return [:] }
        return anchor.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// Share of tokens two reductions treat alike (kept by both or dropped by both).
    public func agreement(with other: Reduction) -> Double {
        guard !isKept.isEmpty, isKept.count == other.isKept.count else { return 0 }
        return Double(zip(isKept, other.isKept).filter { $0 == $1 }.count) / Double(isKept.count)
    }
}
