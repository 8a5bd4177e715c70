import COpenBLAS

/// The thin layer over OpenBLAS: every matrix product of the engine goes through here.
public enum BLAS {
    /// `C ← alpha · op(A) · op(B) + beta · C` on raw row-major buffers.
    /// `a` is m×k after `op`, `b` is k×n after `op`, `c` is m×n; leading dimensions are the
    /// stored row widths.
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// `op(A) · op(B)` as a new matrix.
    public static func matmul(_ a: Matrix, _ b: Matrix, transA: Bool = false, transB: Bool = false) -> Matrix {
        var c = Matrix(rows: transA ? a.cols : a.rows, cols: transB ? b.rows : b.cols)
        gemm(a, b, into: &c, transA: transA, transB: transB)
        return c
    }

    /// `C ← alpha · op(A) · op(B) + beta · C`, shapes checked.
    public static func gemm(_ a: Matrix, _ b: Matrix, into c: inout Matrix,
                            transA: Bool = false, transB: Bool = false,
                            alpha: Float = 1, beta: Float = 0) {
        let m = transA ? a.cols : a.rows
        let k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows
        let n = transB ? b.rows : b.cols
        precondition(k == kb && c.rows == m && c.cols == n,
                     "gemm shape mismatch: \(m)×\(k) · \(kb)×\(n) into \(c.rows)×\(c.cols)")
        let (ac, bc, cc) = (a.cols, b.cols, c.cols)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: pa.baseAddress!, lda: max(ac, 1), b: pb.baseAddress!, ldb: max(bc, 1),
                         beta: beta, c: pc.baseAddress!, ldc: max(cc, 1))
                }
            }
        }
    }

    /// The number of threads OpenBLAS uses; set it deliberately at start-up.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// Runs `body` with OpenBLAS calls single-threaded, then restores the thread count: for work that is
    /// split over the cores by the caller (many small GEMMs at once, each on its own core, instead of
    /// each small GEMM split over the cores and synchronised). OpenBLAS 0.3.21 has no per-call thread
    /// count, so this is process-wide: a BLAS call from another thread meanwhile runs on one core —
    /// slower, never wrong.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        let before = threads
        if before > 1 { threads = 1 }
        defer { if before > 1 { threads = before } }
        return try body()
    }

    /// The kernel family OpenBLAS picked when it loaded (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}

extension Matrix {
    /// `self += alpha · other` (gradients, residual connections).
    public mutating func add(_ other: Matrix, scale alpha: Float = 1) {
        precondition(other.rows == rows && other.cols == cols)
        other.storage.withUnsafeBufferPointer { o in
            storage.withUnsafeMutableBufferPointer { s in
                cblas_saxpy(blasint(s.count), alpha, o.baseAddress!, 1, s.baseAddress!, 1)
            }
        }
    }
}
