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
        var y = Matrix(rows: x.rows, cols: outputWidth)
        y.storage.withUnsafeMutableBufferPointer { out in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<x.rows { (out.baseAddress! + r * outputWidth).update(from: b.baseAddress!, count: outputWidth) }
            }
        }
        BLAS.gemm(x, weight, into: &y, transB: true, beta: 1)
        if relu { y.applyReLU() }
        return y
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
