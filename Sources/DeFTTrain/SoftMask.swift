import DeFT

/// The differentiable stand-in for top-k: `m_i = σ((s_i − t)/τ)`, with t halfway between the
/// k-th and (k+1)-th largest score of the input. The threshold is held fixed in the backward
/// (it moves with the scores, but only by re-ranking), so gradients reach the scores of the
/// tokens near the cut — the ones whose fate training can change.
public struct SoftMask: Sendable {
    public let values: [Float]
    public let temperature: Float

    public init(scores s: [Float], batch: Int, tokens n: Int, keep k: Int, temperature tau: Float) {
        self.init(scores: s, tokens: n, thresholds: Self.thresholds(scores: s, batch: batch, tokens: n, keep: k),
                  temperature: tau)
    }

    /// With given thresholds per input (−∞: keep everything).
    public init(scores s: [Float], tokens n: Int, thresholds: [Float], temperature tau: Float) {
        precondition(s.count == thresholds.count * n && tau > 0)
        temperature = tau
        values = s.indices.map { i in
            let t = thresholds[i / n]
            return t == -.infinity ? 1 : RowStatistics.sigmoid((s[i] - t) / tau)
        }
    }

    /// Halfway between the k-th and (k+1)-th largest score of each input.
    public static func thresholds(scores s: [Float], batch: Int, tokens n: Int, keep k: Int) -> [Float] {
        (0..<batch).map { b in
            guard k < n else { return -.infinity }
            let row = s[(b * n)..<((b + 1) * n)].sorted(by: >)
            return (row[k - 1] + row[k]) / 2
        }
    }

    /// Every token fully kept: what a loss sees without pruning.
    public static func all(count: Int) -> SoftMask { SoftMask(values: [Float](repeating: 1, count: count)) }

    private init(values: [Float]) { self.values = values; temperature = 1 }

    /// ∂L/∂s from ∂L/∂m.
    public func backward(_ dm: [Float]) -> [Float] {
        zip(dm, values).map { $0 * $1 * (1 - $1) / temperature }
    }
}
