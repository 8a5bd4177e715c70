import Foundation

/// Small numeric kernels over one row of values. Double accumulators keep the float32 results
/// within rounding of PyTorch's.
public enum RowStatistics {
    /// `(s − mean) / (std + 1e-8)` with the unbiased std, as the reference's `normalize_scores`.
    /// A single token has no spread: its z-score is 0 (PyTorch would give NaN).
    public static func zScore(_ s: ArraySlice<Float>) -> [Float] {
        let n = s.count
        guard n > 1 else { return [Float](repeating: 0, count: n) }
        var sum = 0.0
        for v in s { sum += Double(v) }
        let mean = sum / Double(n)
        var sq = 0.0
        for v in s { let d = Double(v) - mean; sq += d * d }
        let std = (sq / Double(n - 1)).squareRoot() + 1e-8
        return s.map { Float((Double($0) - mean) / std) }
    }

    /// Softmax of a short vector (the mixture logits, a token's class logits).
    public static func softmax(_ x: ArraySlice<Float>) -> [Float] {
        guard let m = x.max() else { return [] }
        var e = x.map { Double(exp(Double($0 - m))) }
        let total = e.reduce(0, +)
        for i in e.indices { e[i] /= total }
        return e.map { Float($0) }
    }

    /// `−Σ p log(p + 1e-8)`, p = softmax(s): the selection entropy (DeFT.md §2).
    public static func selectionEntropy(_ s: ArraySlice<Float>) -> Float {
        let p = softmax(s)
        var h = 0.0
        for v in p { h -= Double(v) * log(Double(v) + 1e-8) }
        return Float(h)
    }

    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
}
