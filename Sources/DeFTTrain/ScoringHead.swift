import DeFT

/// The one classifier a scoring service may hold beside its weights: its all-token prediction is the
/// feedback target when no label is given, and its per-token logits (`tokenLogits`, the head given
/// each token alone) drive the reconstruction gate. Two kinds exist: the classify head over DeFT's z
/// (`W.head.safetensors`) and the reader over the tokens themselves (`W.reader.safetensors`).
public protocol ScoringHead: TaskObjective {
    var classes: Int { get }
    /// Why this head cannot read `tokens` tokens (nil: not yet known) of width `tokenDim` from weights of
    /// width d′ `semanticDim` (nil: it can). Checked before any product, which would otherwise trap.
    func problem(tokens: Int?, tokenDim: Int, semanticDim: Int) -> String?
    /// The class logits (B × C) of `batch` inputs when only the tokens with mask 1 are read.
    func answerLogits(z: Matrix, tokens: Matrix, mask: [Float], batch: Int) -> Matrix
    /// Where the feedback came from when this head gave it.
    func source(label: Int?) -> FeedbackSource
}

extension ClassifyObjective: ScoringHead {
    public func problem(tokens: Int?, tokenDim: Int, semanticDim: Int) -> String? {
        head.inputWidth == semanticDim ? nil : "the head reads width \(head.inputWidth) but the weights give d′=\(semanticDim)"
    }

    /// The head over the mask-weighted mean of the kept tokens' z, as `evaluate` reads them.
    public func answerLogits(z: Matrix, tokens: Matrix, mask: [Float], batch: Int) -> Matrix {
        let d = z.cols, n = z.rows / max(batch, 1)
        var pooled = Matrix(rows: batch, cols: d)
        for b in 0..<batch {
            let total = (0..<n).reduce(Float(1e-6)) { $0 + mask[b * n + $1] }
            for i in 0..<n where mask[b * n + i] != 0 {
                let w = mask[b * n + i] / total
                for f in 0..<d { pooled.storage[b * d + f] += w * z.storage[(b * n + i) * d + f] }
            }
        }
        return head.forward(pooled)
    }

    public func source(label: Int?) -> FeedbackSource { .classify(label: label) }
}

extension Reader: ScoringHead {
    public func problem(tokens n: Int?, tokenDim d: Int, semanticDim: Int) -> String? {
        if d != tokenDim { return "the reader reads tokens of width \(tokenDim), the input's have width \(d)" }
        if let n, n != tokens { return "the reader reads \(tokens) tokens (a \(gridHeight)×\(gridWidth) grid), the input has \(n)" }
        return nil
    }

    public func answerLogits(z: Matrix, tokens x: Matrix, mask: [Float], batch: Int) -> Matrix {
        logits(tokens: x, mask: mask, batch: batch)
    }

    public func source(label: Int?) -> FeedbackSource { .reader(label: label) }
}
