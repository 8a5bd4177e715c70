/// Everything the pipeline computes for one input (one batch row), per token, once.
///
/// Nothing here depends on the retention ratio or the mode: `selection(ratio:mode:)` is a
/// cheap re-selection from the cached ranking, which is what makes live scrubbing free.
public struct TokenScores: Sendable {
    public let layout: TokenLayout

    /// Raw signals (DeFT.md §2): saliency s_sem, feedback s_fb (all 0 without feedback), group s_group.
    public let saliency: [Float]
    public let feedback: [Float]
    public let group: [Float]
    /// The same signals z-scored per row; `feedbackZ` is all 0 when there is no feedback.
    public let saliencyZ: [Float]
    public let feedbackZ: [Float]
    public let groupZ: [Float]
    /// `s = β1·ŝ_sem + β2·ŝ_fb + β3·ŝ_group`.
    public let combined: [Float]
    /// β = softmax(θ), in the order (saliency, feedback, group).
    public let mixture: [Float]
    public let hasFeedback: Bool

    /// Token indices by descending combined score (the reference's `topk` order).
    public let ranking: [Int]
    /// `rank[i]` is the position of token i in `ranking` (0 = best).
    public let rank: [Int]

    /// `−Σ p log(p + 1e-8)`, p = softmax(combined).
    public let selectionEntropy: Float

    /// The reconstruction gate's inputs and output for every token (nil without logits).
    public let gate: GateSignals?
    /// `‖x − dec(enc(x))‖ / ‖x‖` per token (nil when not asked for, or without an RTD).
    public let reconstructionError: [Float]?
    /// The weights have a recoverable token dictionary: hybrid can bring pruned tokens back.
    public let canReconstruct: Bool
    /// The adaptive rule's decision for this input (independent of the ratio).
    public let adaptive: AdaptiveDecision

    /// Text only: the 5 semantic neighbours of each token (flattened N×min(5, N−1)).
    public let semanticNeighbours: [Int]?

    public init(layout: TokenLayout, saliency: [Float], feedback: [Float], group: [Float],
                saliencyZ: [Float], feedbackZ: [Float], groupZ: [Float], combined: [Float],
                mixture: [Float], hasFeedback: Bool, ranking: [Int], selectionEntropy: Float,
                gate: GateSignals?, reconstructionError: [Float]?, canReconstruct: Bool, adaptive: AdaptiveDecision,
                semanticNeighbours: [Int]?) {
        self.layout = layout
        self.saliency = saliency; self.feedback = feedback; self.group = group
        self.saliencyZ = saliencyZ; self.feedbackZ = feedbackZ; self.groupZ = groupZ
        self.combined = combined; self.mixture = mixture; self.hasFeedback = hasFeedback
        self.ranking = ranking
        var rank = [Int](repeating: 0, count: ranking.count)
        for (r, i) in ranking.enumerated() { rank[i] = r }
        self.rank = rank
        self.selectionEntropy = selectionEntropy
        self.gate = gate
        self.reconstructionError = reconstructionError
        self.canReconstruct = canReconstruct
        self.adaptive = adaptive
        self.semanticNeighbours = semanticNeighbours
    }

    public var count: Int { combined.count }

    /// `k = clamp(int(ratio · N), 1, N)`, truncating in double precision as Python does.
    public static func keepCount(ratio: Double, tokens n: Int) -> Int {
        guard n > 0 else { return 0 }
        let raw = ratio * Double(n)
        let k = raw.isFinite ? Int(raw.rounded(.towardZero)) : n
        return min(max(k, 1), n)
    }

    /// The kept / pruned / reconstructed sets at `ratio` under `mode`, from the cached ranking.
    /// `perFrame`: a video's budget split evenly over its frames (each keeps its best k/F, the
    /// remainder going to the earliest frames) instead of one global top-k.
    public func selection(ratio: Double, mode: InferenceMode, perFrame: Bool = false) -> Selection {
        let n = count
        let k = Self.keepCount(ratio: ratio, tokens: n)
        var isKept = [Bool](repeating: false, count: n)
        var keptByScore: [Int]
        if perFrame && layout.frames > 1 {
            let f = layout.frames, per = layout.tokensPerFrame
            var quota = (0..<f).map { k / f + ($0 < k % f ? 1 : 0) }
            keptByScore = []
            for i in ranking where quota[i / per] > 0 { quota[i / per] -= 1; isKept[i] = true; keptByScore.append(i) }
        } else {
            keptByScore = Array(ranking.prefix(k))
            for i in keptByScore { isKept[i] = true }
        }
        var kept: [Int] = [], pruned: [Int] = []
        kept.reserveCapacity(k); pruned.reserveCapacity(n - k)
        for i in 0..<n { if isKept[i] { kept.append(i) } else { pruned.append(i) } }

        let path: InferenceMode = mode == .adaptive ? adaptive.path : mode
        var reconstructed: [Int] = []
        if path == .hybrid && canReconstruct {
            if let gate {
                reconstructed = pruned.filter { gate.probability[$0] > 0.5 }
            } else {
                reconstructed = pruned   // no logits: every pruned token comes back (DeFT.md §4)
            }
        }
        return Selection(ratio: ratio, mode: mode, path: path, k: k,
                         keptByScore: keptByScore, kept: kept, pruned: pruned,
                         reconstructed: reconstructed, isKept: isKept)
    }

    /// The tokens whose similarity enters token i's group score (DeFT.md §2), in ascending order
    /// for grids and by descending similarity for text.
    public func neighbours(of i: Int) -> [Int] {
        if let semanticNeighbours {
            let per = semanticNeighbours.count / max(count, 1)
            return Array(semanticNeighbours[(i * per)..<((i + 1) * per)])
        }
        return Neighbourhood.grid(of: i, in: layout)
    }
}

/// The reconstruction gate's view of every token (DeFT.md §4): `p_rec = σ(w·[z, u, c] + b)`.
public struct GateSignals: Sendable {
    public let probability: [Float]
    public let uncertainty: [Float]
    public let confidence: [Float]
    public init(probability: [Float], uncertainty: [Float], confidence: [Float]) {
        self.probability = probability; self.uncertainty = uncertainty; self.confidence = confidence
    }
}

/// Which path adaptive mode takes for one input, and the numbers that decided it.
public struct AdaptiveDecision: Sendable, Equatable {
    public let path: InferenceMode          // .fast or .hybrid
    public let meanUncertainty: Float?      // nil without logits
    public let meanConfidence: Float?
    public let reason: String

    public init(path: InferenceMode, meanUncertainty: Float?, meanConfidence: Float?, reason: String) {
        self.path = path; self.meanUncertainty = meanUncertainty
        self.meanConfidence = meanConfidence; self.reason = reason
    }
}

/// One retention ratio applied to a `TokenScores`.
public struct Selection: Sendable, Equatable {
    public let ratio: Double
    public let mode: InferenceMode
    /// The path actually taken (adaptive resolves to fast or hybrid).
    public let path: InferenceMode
    public let k: Int
    /// Kept tokens by descending score, as the reference returns `retained_indices`.
    public let keptByScore: [Int]
    /// Kept tokens in position order, as a language model wants them.
    public let kept: [Int]
    public let pruned: [Int]
    /// Pruned tokens the gate brings back (empty on the fast path).
    public let reconstructed: [Int]
    public let isKept: [Bool]
}
