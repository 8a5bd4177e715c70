import DeFT
import Foundation

/// `classify`: a linear head over the mask-weighted mean of the kept tokens' semantic vectors,
/// `p = softmax(W·(Σ m_i z_i / Σ m_i) + b)`, cross-entropy against the input's label. Without
/// labels (feedback at inference, where no label exists) the head's own prediction stands in.
public struct ClassifyObjective: TaskObjective {
    public var name: String { "classify" }
    public var head: Linear   // classes × d′, saved as classifier.weight / classifier.bias

    public init(head: Linear) { self.head = head }

    /// A fresh head (Xavier-uniform, zero bias) for `classes` labels over width `semanticDim`.
    public init(classes: Int, semanticDim: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed ^ 0xC1A5_51F1)
        head = Linear(inputs: semanticDim, outputs: classes, rng: &rng)
    }

    public var classes: Int { head.outputWidth }

    /// Labels this head can score: each must name one of its classes (checked before any matrix is built).
    public func check(labels: [Int]?, source: String) throws {
        if let bad = labels?.first(where: { $0 < 0 || $0 >= classes }) {
            throw DeFTError(source, "label \(bad) is outside the head's \(classes) classes (0…\(classes - 1))")
        }
    }

    public func tokenLogits(z: Matrix, tokens: Matrix) -> Matrix? { head.forward(z) }

    public mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows {
        try body("classifier.weight", &head.weight.storage)
        try body("classifier.bias", &head.bias)
    }

    public func evaluate(z: Matrix, tokens: Matrix, mask m: [Float], batch: Int, labels: [Int]?) -> ObjectiveResult {
        let d = z.cols, n = z.rows / batch, c = classes
        precondition(labels == nil || labels!.count == batch, "classify needs one label per input")
        // Pooled vectors, one row per input.
        var pooled = Matrix(rows: batch, cols: d)
        var mass = [Float](repeating: 0, count: batch)
        for b in 0..<batch {
            var total: Float = 1e-6
            for i in 0..<n { total += m[b * n + i] }
            mass[b] = total
            for i in 0..<n {
                let w = m[b * n + i] / total
                if w == 0 { continue }
                for f in 0..<d { pooled.storage[b * d + f] += w * z.storage[(b * n + i) * d + f] }
            }
        }
        let logits = head.forward(pooled)
        let labels = labels ?? (0..<batch).map { b in
            let row = logits.storage[(b * c)..<((b + 1) * c)]
            return row.indices.max { row[$0] < row[$1] }! - b * c
        }
        var loss = 0.0
        var dLogits = Matrix(rows: batch, cols: c)
        var predictions = [Int](repeating: 0, count: batch)
        for b in 0..<batch {
            let p = RowStatistics.softmax(logits.storage[(b * c)..<((b + 1) * c)])
            loss -= log(max(Double(p[labels[b]]), 1e-30))
            predictions[b] = p.indices.max { p[$0] < p[$1] } ?? 0
            for j in 0..<c { dLogits.storage[b * c + j] = (p[j] - (j == labels[b] ? 1 : 0)) / Float(batch) }
        }
        let back = head.backward(input: pooled, gradOutput: dLogits)
        let dPooled = back.input!
        var dZ = Matrix(rows: z.rows, cols: d)
        var dM = [Float](repeating: 0, count: z.rows)
        for b in 0..<batch {
            for i in 0..<n {
                let r = b * n + i, w = m[r] / mass[b]
                var dot: Float = 0
                for f in 0..<d {
                    let g = dPooled.storage[b * d + f]
                    dZ.storage[r * d + f] = g * w
                    dot += g * (z.storage[r * d + f] - pooled.storage[b * d + f])
                }
                dM[r] = dot / mass[b]
            }
        }
        var params = Gradients()
        params.add("classifier", back.gradient)
        return ObjectiveResult(loss: loss / Double(batch), semantic: dZ, mask: dM,
                               parameters: params, predictions: predictions)
    }
}
