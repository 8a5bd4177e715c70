import DeFT

/// DeFT and every baseline on one input, ready to cut at any ratio: the rankings, ToMe's merge
/// history and the fidelity index are built once; a ratio change only re-reads them.
public struct Comparison: Sendable {
    public let layout: TokenLayout
    public let index: FidelityIndex
    public let merging: TokenMerging
    /// Every method's curve at `curveRatios`, computed once.
    public private(set) var curves: [Method: [CurvePoint]] = [:]

    /// Cosine a stand-in needs to count a token as covered. Patch and sentence features sit far
    /// apart at 0.9 (neighbouring photo patches score 0.8–0.95 with the built-in encoder).
    public static let defaultThreshold: Float = 0.9
    /// 5 %, 10 %, …, 100 %.
    public static let curveRatios: [Double] = (1...20).map { Double($0) * 0.05 }

    /// `tokens`: the input (N × d); `semantic`: DeFT's z for it (ToMe's metric); `scores`: DeFT's result.
    public init(tokens: Matrix, semantic: Matrix, scores: TokenScores, seed: UInt64 = 0,
                threshold: Float = Comparison.defaultThreshold) {
        layout = scores.layout
        let rankings: [Method: [Int]] = [
            .deft: scores.ranking,
            .saliency: BaselineRankings.saliency(scores),
            .norm: BaselineRankings.norm(tokens),
            .random: BaselineRankings.random(count: scores.count, seed: seed),
            .uniform: BaselineRankings.uniform(scores.layout),
        ]
        index = FidelityIndex(tokens: tokens, rankings: rankings, threshold: threshold)
        merging = TokenMerging(metric: semantic)
        for m in Method.allCases { curves[m] = curve(m) }
    }

    public func reduction(_ method: Method, ratio: Double) -> Reduction {
        let k = TokenScores.keepCount(ratio: ratio, tokens: layout.count)
        if method == .tome { return merging.reduction(keeping: k) }
        return Reduction(method: method, ranking: index.rankings[method]!, k: k)
    }

    public func fidelity(_ method: Method, ratio: Double) -> Fidelity {
        index.fidelity(reduction(method, ratio: ratio))
    }

    /// Fidelity against ratio for one method.
    public func curve(_ method: Method, ratios: [Double] = Comparison.curveRatios) -> [CurvePoint] {
        ratios.map { r in
            let f = fidelity(method, ratio: r)
            return CurvePoint(ratio: r, k: TokenScores.keepCount(ratio: r, tokens: layout.count), error: f.error, coverage: f.coverage)
        }
    }
}

public struct CurvePoint: Sendable, Equatable, Codable {
    public let ratio: Double
    public let k: Int
    public let error: Double
    public let coverage: Double
}
