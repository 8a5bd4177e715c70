import COpenBLAS
import DeFT

extension Linear {
    /// The backward pass of `y = x·Wᵀ + b` over a batch of rows: `dW = dyᵀ·x`, `db = Σ dy`,
    /// `dx = dy·W` — three GEMM-shaped products, no per-row loops over weights.
    public func backward(input x: Matrix, gradOutput dy: Matrix, needInput: Bool = true)
        -> (input: Matrix?, gradient: LinearGradient)
    {
        precondition(dy.cols == outputWidth && dy.rows == x.rows && x.cols == inputWidth)
        let dW = BLAS.matmul(dy, x, transA: true)
        var db = [Float](repeating: 0, count: outputWidth)
        dy.storage.withUnsafeBufferPointer { p in
            for r in 0..<dy.rows {
                let row = p.baseAddress! + r * outputWidth
                for c in 0..<outputWidth { db[c] += row[c] }
            }
        }
        let dx = needInput ? BLAS.matmul(dy, weight) : nil
        return (dx, LinearGradient(weight: dW, bias: db))
    }
}

extension Matrix {
    /// The ReLU backward: zero the gradient wherever the layer's output was not positive.
    mutating func maskReLU(activations a: Matrix) {
        precondition(a.storage.count == storage.count)
        a.storage.withUnsafeBufferPointer { ap in
            storage.withUnsafeMutableBufferPointer { gp in
                for i in gp.indices where ap[i] <= 0 { gp[i] = 0 }
            }
        }
    }
}
