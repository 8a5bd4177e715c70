/// The all-pairs products of the engine, a block at a time, so no N×N matrix ever exists.
///
/// `symmetric` is the one kernel for Z·Zᵀ (text neighbours, the reconstruct objective, the fidelity
/// index): it computes only the upper triangle — strips of `rowBlock` rows against the columns at
/// and after them, one sgemm per chunk of columns — and hands the lower triangle to the caller as
/// transposed copies of the blocks it already has. Half the multiply-adds of the full product, the
/// same values (an off-diagonal cosine is computed once and used both ways; the diagonal block is
/// made exactly symmetric), and memory O(rowBlock · columnChunk) whatever N is.
///
/// Every row meets every column exactly once, and its column blocks arrive in ascending order, so
/// a caller that scans its rows left to right (first of equal values wins, prefix maxima in a given
/// column order) sees what it would see on full rows.
public enum SimilarityBlocks {
    /// Rows per strip: 256 keeps a strip's transposed sub-blocks (256 KB) in L2.
    public static let defaultRowBlock = 256
    /// Columns per sgemm: wide enough for sgemm's efficiency, small enough to stay a few MB.
    public static let defaultColumnChunk = 2048

    /// One block of products, row-major: `values[(i − rows.lowerBound) · columns.count + (j − columns.lowerBound)]`.
    public struct Block {
        public let rows: Range<Int>
        public let columns: Range<Int>
        public let values: UnsafeBufferPointer<Float>

        /// The product of global row `i` and global column `j`.
        @inlinable public subscript(i: Int, j: Int) -> Float {
            values[(i - rows.lowerBound) * columns.count + (j - columns.lowerBound)]
        }

        /// Global row `i`'s values over `columns`.
        @inlinable public func row(_ i: Int) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(rebasing: values[((i - rows.lowerBound) * columns.count)..<((i - rows.lowerBound + 1) * columns.count)])
        }
    }

    /// Visits every block of `alpha · Z·Zᵀ` (Z: N rows of width d), computing only the upper triangle.
    public static func symmetric(_ z: Matrix, alpha: Float = 1, rowBlock: Int = defaultRowBlock,
                                 columnChunk: Int = defaultColumnChunk, _ body: (Block) throws -> Void) rethrows {
        let n = z.rows, d = z.cols
        guard n > 0 else { return }
        let b = max(rowBlock, 1)
        // A chunk is whole row blocks, so its sub-blocks line up with the strips below.
        let chunk = max(columnChunk / b, 1) * b
        var strip = [Float](repeating: 0, count: b * min(chunk, n))
        var flipped = [Float](repeating: 0, count: b * b)
        try z.storage.withUnsafeBufferPointer { zp in
            let base = zp.baseAddress!
            for i0 in stride(from: 0, to: n, by: b) {
                let rows = i0..<min(i0 + b, n)
                for c0 in stride(from: i0, to: n, by: chunk) {
                    let cols = c0..<min(c0 + chunk, n)
                    let w = cols.count
                    try strip.withUnsafeMutableBufferPointer { sp in
                        BLAS.gemm(transA: false, transB: true, m: rows.count, n: w, k: d, alpha: alpha,
                                  a: base + i0 * d, lda: max(d, 1), b: base + c0 * d, ldb: max(d, 1),
                                  c: sp.baseAddress!, ldc: w)
                        if c0 == i0 {
                            // The diagonal block: one value per pair, as off the diagonal.
                            for r in 0..<rows.count { for c in (r + 1)..<rows.count { sp[c * w + r] = sp[r * w + c] } }
                        }
                        try body(Block(rows: rows, columns: cols, values: UnsafeBufferPointer(rebasing: sp[0..<(rows.count * w)])))
                        // The same products seen from the later rows: (J, I) for each J after I.
                        for j0 in stride(from: max(c0, rows.upperBound), to: cols.upperBound, by: b) {
                            let jr = j0..<min(j0 + b, cols.upperBound)
                            try flipped.withUnsafeMutableBufferPointer { fp in
                                for r in 0..<rows.count {
                                    let src = r * w + (j0 - c0)
                                    for c in 0..<jr.count { fp[c * rows.count + r] = sp[src + c] }
                                }
                                try body(Block(rows: jr, columns: rows, values: UnsafeBufferPointer(rebasing: fp[0..<(jr.count * rows.count)])))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Visits `A·Bᵀ` (rows of A against rows of B) in blocks of `rowBlock` × `columnChunk`, each row's
    /// column blocks in ascending order: for products that are not symmetric (ToMe's two halves).
    public static func cross(_ a: Matrix, _ b: Matrix, alpha: Float = 1, rowBlock: Int = defaultRowBlock,
                             columnChunk: Int = defaultColumnChunk, _ body: (Block) throws -> Void) rethrows {
        precondition(a.cols == b.cols, "cross products need equal widths")
        let m = a.rows, n = b.rows, d = a.cols
        guard m > 0, n > 0 else { return }
        let rb = max(rowBlock, 1), cb = max(columnChunk, 1)
        var buffer = [Float](repeating: 0, count: min(rb, m) * min(cb, n))
        try a.storage.withUnsafeBufferPointer { ap in
            try b.storage.withUnsafeBufferPointer { bp in
                try buffer.withUnsafeMutableBufferPointer { cp in
                    for i0 in stride(from: 0, to: m, by: rb) {
                        let rows = i0..<min(i0 + rb, m)
                        for c0 in stride(from: 0, to: n, by: cb) {
                            let cols = c0..<min(c0 + cb, n)
                            BLAS.gemm(transA: false, transB: true, m: rows.count, n: cols.count, k: d, alpha: alpha,
                                      a: ap.baseAddress! + i0 * d, lda: max(d, 1), b: bp.baseAddress! + c0 * d, ldb: max(d, 1),
                                      c: cp.baseAddress!, ldc: cols.count)
                            try body(Block(rows: rows, columns: cols, values: UnsafeBufferPointer(rebasing: cp[0..<(rows.count * cols.count)])))
                        }
                    }
                }
            }
        }
    }
}
