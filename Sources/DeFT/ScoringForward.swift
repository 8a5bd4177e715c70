/// The scoring forward pass for a batch — SAM, saliency, the group score and their per-row
/// z-scores: everything before the feedback term (DeFT.md §1–2). Inference (`DeFTPipeline`) and
/// training (`ScoringTrace`) both run exactly this; training asks it to keep the hidden
/// activations its backward pass needs, inference lets them go.
public struct ScoringForward: Sendable {
    public let batch: Int
    public let layout: TokenLayout
    /// relu(sam1(x)), relu(score1(z)), relu(score2(·)): kept only with `keepActivations`.
    public let samHidden: Matrix?
    public let scoreHidden1: Matrix?
    public let scoreHidden2: Matrix?
    /// z = sam2(relu(sam1(x))), B·N rows of width d′.
    public let z: Matrix
    /// s_sem = σ(MLP(z)).
    public let saliency: [Float]
    /// z / max(‖z‖, 1e-12) and those norms (the cosine similarities and their backward).
    public let normalised: Matrix
    public let norms: [Float]
    /// s_group, and for text the neighbour lists (N × min(5, N−1), by descending similarity).
    public let group: [Float]
    public let textNeighbours: [Int]?
    /// How the text neighbours were found (nil for grids).
    public let neighbourSearch: NeighbourSearchUsed?
    /// s_sem and s_group z-scored within each batch row.
    public let saliencyZ: [Float]
    public let groupZ: [Float]
    /// β = softmax(θ) in the order (saliency, feedback, group).
    public let mixture: [Float]

    public var tokens: Int { layout.count }

    /// `neighbours`: how text finds each token's neighbours (grids have theirs from the layout).
    public init(model: DeFTModel, tokens x: Matrix, batch: Int, layout: TokenLayout, keepActivations: Bool = false,
                neighbours search: NeighbourSearch = .auto) {
        let n = layout.count
        precondition(x.rows == batch * n && x.cols == model.config.tokenDim, "validate the tokens before scoring them")
        self.batch = batch; self.layout = layout
        // Each hidden layer is kept (or let go) as soon as the next is made: at 262 144 tokens and
        // d′ = 512 each is 512 MB, and holding all of them to the end was most of the peak.
        let h1 = model.sam1.forward(x, relu: true)
        z = model.sam2.forward(h1)
        samHidden = keepActivations ? h1 : nil
        let a1 = model.score1.forward(z, relu: true)
        let a2 = model.score2.forward(a1, relu: true)
        scoreHidden1 = keepActivations ? a1 : nil
        saliency = model.score3.forward(a2).storage.map(RowStatistics.sigmoid)
        scoreHidden2 = keepActivations ? a2 : nil

        let (zn, norms) = GroupScore.normalise(z)
        normalised = zn
        self.norms = norms
        if layout.modality == .text {
            let t = GroupScore.text(zn: zn, saliency: saliency, batch: batch, tokens: n, search: search)
            group = t.scores
            textNeighbours = t.neighbours
            neighbourSearch = t.search
        } else {
            group = GroupScore.grid(zn: zn, saliency: saliency, batch: batch, layout: layout)
            textNeighbours = nil
            neighbourSearch = nil
        }
        saliencyZ = Self.zScorePerRow(saliency, batch: batch, tokens: n)
        groupZ = Self.zScorePerRow(group, batch: batch, tokens: n)
        mixture = RowStatistics.softmax(model.mixtureLogits[...])
    }

    /// The feedback signal z-scored per batch row (all 0 without feedback: its term drops out).
    public func feedbackZ(_ feedback: [Float]?) -> [Float] {
        guard let feedback else { return [Float](repeating: 0, count: batch * tokens) }
        precondition(feedback.count == batch * tokens)
        return Self.zScorePerRow(feedback, batch: batch, tokens: tokens)
    }

    /// `s = β1·ŝ_sem + β2·ŝ_fb + β3·ŝ_group` for every token of the batch.
    public func combined(feedbackZ: [Float]) -> [Float] {
        var s = [Float](repeating: 0, count: batch * tokens)
        for r in s.indices { s[r] = mixture[0] * saliencyZ[r] + mixture[1] * feedbackZ[r] + mixture[2] * groupZ[r] }
        return s
    }

    static func zScorePerRow(_ v: [Float], batch: Int, tokens n: Int) -> [Float] {
        (0..<batch).flatMap { RowStatistics.zScore(v[($0 * n)..<(($0 + 1) * n)]) }
    }
}
