import DeFT

/// VisionZip (Yang et al. 2024, "VisionZip: Longer is Better but Not Necessary in Vision Language
/// Models", dvlab-research/VisionZip) as a reduction to k tokens:
/// 1. dominant tokens: the D tokens the encoder's CLS token attends to most (attention summed over heads);
/// 2. contextual tokens: of the rest, in position order, every ⌊R/C⌋-th is a target (the first C such),
///    every other remaining token joins the target it is most similar to (cosine), and each target
///    becomes the mean of itself and the tokens that joined it.
/// The split keeps the paper's LLaVA-1.5 proportion, 54 dominant to 10 contextual at 64 tokens
/// (C = round(10k/64), D = k − C). Two differences from the paper, both forced by what the reader
/// sees: the similarity is the tokens' own cosine (VisionZip uses that layer's attention keys) and the
/// CLS attention is the last block's over the tokens read (VisionZip reads the selected layer's);
/// a contextual token is read at its target's position, as a ToMe-merged token at its anchor's.
public enum VisionZip {
    /// The contextual share of k of n tokens: the paper's 10 of 64, at least one while anything is cut
    /// (every token is then carried by some kept one).
    public static func contextualCount(keeping k: Int, of n: Int) -> Int {
        k >= n ? 0 : max(1, Int((Double(k) * 10 / 64).rounded()))
    }

    /// For every token the index of the kept token that carries it (itself when kept, as a dominant
    /// token or a target; else its target), the form `TokenMerging.mergedTokens` reads.
    public static func anchors(tokens: Matrix, clsAttention: [Float], keeping k: Int) -> [Int] {
        let n = tokens.rows
        precondition(clsAttention.count == n, "one CLS attention per token")
        let k = min(max(k, 1), n)
        let contextual = contextualCount(keeping: k, of: n), dominant = k - contextual
        var anchor = Array(0..<n)
        guard contextual > 0 else { return anchor }
        let order = DeFTPipeline.ranking(clsAttention)
        let isDominant = Set(order.prefix(dominant))
        let remaining = (0..<n).filter { !isDominant.contains($0) }
        let step = max(1, remaining.count / contextual)
        let targets = Array(stride(from: 0, to: remaining.count, by: step).prefix(contextual).map { remaining[$0] })
        let targetSet = Set(targets)
        let others = remaining.filter { !targetSet.contains($0) }
        if !others.isEmpty {
            let t = GroupScore.normalisedRows(tokens.gatherRows(targets)), o = GroupScore.normalisedRows(tokens.gatherRows(others))
            let d = tokens.cols
            for (i, token) in others.enumerated() {
                var best = 0, bestScore = -Float.infinity
                for j in 0..<targets.count {
                    var s: Float = 0
                    for f in 0..<d { s += o.storage[i * d + f] * t.storage[j * d + f] }
                    if s > bestScore { bestScore = s; best = j }
                }
                anchor[token] = targets[best]
            }
        }
        return anchor
    }
}
