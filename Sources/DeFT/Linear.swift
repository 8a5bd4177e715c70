/// `y = W·x + b` applied to every row of a matrix, with PyTorch's layout (`weight` is out×in).
public struct Linear: Sendable, Equatable {
    public var weight: Matrix
    public var bias: [Float]

    public init(weight: Matrix, bias: [Float]) {
        precondition(bias.count == weight.rows, "bias width \(bias.count) ≠ weight rows \(weight.rows)")
        self.weight = weight
        self.bias = bias
    }

    public var inputWidth: Int { weight.cols }
    public var outputWidth: Int { weight.rows }

    /// Xavier-uniform weight and zero bias, as the reference initialises its layers.
    public init(inputs: Int, outputs: Int, rng: inout SplitMix64) {
        let bound = Float((6.0 / Double(inputs + outputs)).squareRoot())
        var w = Matrix(rows: outputs, cols: inputs)
        for i in w.storage.indices { w.storage[i] = rng.nextFloat(in: -bound...bound) }
        self.init(weight: w, bias: [Float](repeating: 0, count: outputs))
    }

    /// `X·Wᵀ + b` for X of shape rows×in (`relu`: then `max(0, ·)`): one GEMM with the bias
    /// preloaded into the output (a row copy is cheaper than a second pass adding it), then a
    /// branch-free clamp — on real activations half the signs are unpredictable, and a branching
    /// ReLU cost more than the GEMM after it.
    public func forward(_ x: Matrix, relu: Bool = false) -> Matrix {
        precondition(x.cols == inputWidth, "Linear expects width \(inputWidth), got \(x.cols)")
        let n = outputWidth
        var y = Matrix(rows: x.rows, cols: n) { out in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<x.rows { (out.baseAddress! + r * n).initialize(from: b.baseAddress!, count: n) }
            }
        }
        BLAS.gemm(x, weight, into: &y, transB: true, beta: 1)
        if relu { y.applyReLU() }
        return y
    }

    /// `Y += X·Wᵀ + b` in place (a residual connection): the GEMM accumulates straight into Y, so the
    /// layer's output is never materialised.
    public func accumulate(_ x: Matrix, into y: inout Matrix) {
        precondition(x.cols == inputWidth && y.rows == x.rows && y.cols == outputWidth,
                     "Linear \(inputWidth)→\(outputWidth) cannot add \(x.rows)×\(x.cols) into \(y.rows)×\(y.cols)")
        let n = outputWidth
        y.storage.withUnsafeMutableBufferPointer { out in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<y.rows {
                    let o = out.baseAddress! + r * n
                    for j in 0..<n { o[j] += b[j] }
                }
            }
        }
        BLAS.gemm(x, weight, into: &y, transB: true, beta: 1)
    }

    /// This layer followed by an element-wise scale, `γ ⊙ (W·x + b)`, as one layer `(diag γ·W)·x + γ ⊙ b`
    /// (a ViT's LayerScale folded in once at load, so the forward has no scaling pass).
    public func scaled(by gamma: [Float]) -> Linear {
        precondition(gamma.count == outputWidth, "scale width \(gamma.count) ≠ \(outputWidth) outputs")
        var w = weight
        for r in 0..<w.rows { for c in 0..<w.cols { w.storage[r * w.cols + c] *= gamma[r] } }
        return Linear(weight: w, bias: zip(bias, gamma).map(*))
    }
}

/// A small, seedable, platform-independent generator: untrained weights and seeded
/// baselines must be identical on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `range`, from the top 24 bits (exactly representable in Float).
    public mutating func nextFloat(in range: ClosedRange<Float>) -> Float {
        let u = Float(next() >> 40) / Float(1 << 24)
        return range.lowerBound + (range.upperBound - range.lowerBound) * u
    }
}
