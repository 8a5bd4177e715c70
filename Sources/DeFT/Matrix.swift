/// A dense row-major matrix of `Float`: the one numeric container of the engine.
///
/// A batch of token sets [B, N, d] is a `Matrix` of B·N rows; the pipeline slices rows
/// by pointer so nothing is copied per batch row or per token.
public struct Matrix: Sendable, Equatable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    public var storage: [Float]

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    /// A matrix without the zero-filling pass, for outputs a GEMM or a row copy overwrites anyway: `fill`
    /// gets the buffer of rows·cols floats, and every element must be written — by `fill`, or by the
    /// caller (a β = 0 GEMM) — before anything reads it.
    public init(rows: Int, cols: Int, filledBy fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](unsafeUninitializedCapacity: rows * cols) { buffer, count in
            fill(buffer)
            count = rows * cols
        }
    }

    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "storage does not match \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    public subscript(row: Int, col: Int) -> Float {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    /// Row `r` as a fresh array (for tests and inspection, not hot loops).
    public func row(_ r: Int) -> [Float] {
        Array(storage[(r * cols)..<((r + 1) * cols)])
    }

    /// Rows `range` as a new matrix (one copy).
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols,
               storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The rows at `indices`, in that order.
    public func gatherRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (o, i) in indices.enumerated() {
                    let s = src.baseAddress! + i * cols
                    (dst.baseAddress! + o * cols).update(from: s, count: cols)
                }
            }
        }
        return out
    }

    public var transposed: Matrix {
        var out = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { out.storage[c * rows + r] = storage[r * cols + c] } }
        return out
    }

    /// Reinterprets the same values with a new shape of equal size.
    public func reshaped(rows newRows: Int, cols newCols: Int) -> Matrix {
        Matrix(rows: newRows, cols: newCols, storage: storage)
    }
}

extension Matrix {
    /// In-place `max(0, x)`, branch-free (see `Linear.forward`).
    public mutating func applyReLU() {
        storage.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = Swift.max(p[i], 0) }
        }
    }
}
