import CTransformerKernels
import DeFT
import Foundation

/// The parts of a transformer layer around its GEMMs, shared by every transformer forward in this
/// module. The element-wise kernels (exp, softmax rows, exact GELU) are C in `CTransformerKernels`, built
/// for the CPU's widest vectors: at 336 px DINOv2 takes 24 M exponentials and 11 M error functions per image.
public enum TransformerMath {
    /// Exact (erf) GELU in place: `x · ½ · (1 + erf(x / √2))`.
    public static func gelu(_ m: inout Matrix) {
        m.storage.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            inParallel(buf.count, grain: 1 << 15) { range in deft_gelu(p + range.lowerBound, range.count) }
        }
    }

    /// Splits 0..<count over the cores when there is enough work: the element-wise passes run between
    /// GEMMs, when OpenBLAS's threads are idle.
    @inline(__always)
    static func inParallel(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / max(grain, 1)))
        if parts <= 1 { body(0..<count); return }
        // The parts write disjoint ranges, so sharing the non-Sendable closure is safe.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                shared.value((count * k / parts)..<(count * (k + 1) / parts))
            }
        }
    }

    /// Sum of `n` floats with 16 lanes (the compiler does not reassociate a float reduction itself).
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var j = 0
        while j + 16 <= n { acc += UnsafeRawPointer(p + j).loadUnaligned(as: SIMD16<Float>.self); j += 16 }
        var total = acc.sum()
        while j < n { total += p[j]; j += 1 }
        return total
    }

    /// LayerNorm over each row of `x` (biased variance, as PyTorch), into `out`.
    public static func layerNorm(_ x: Matrix, weight: [Float], bias: [Float], eps: Float, into out: inout Matrix) {
        precondition(weight.count == x.cols && bias.count == x.cols && out.rows == x.rows && out.cols == x.cols)
        let d = x.cols
        let inv = 1 / Float(d)
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                weight.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        let (src, dst, w, b) = (src.baseAddress!, dst.baseAddress!, w.baseAddress!, b.baseAddress!)
                        inParallel(x.rows, grain: 64) { rows in
                            for r in rows {
                                let s = src + r * d, o = dst + r * d
                                let mean = sum(s, d) * inv
                                for j in 0..<d { o[j] = s[j] - mean }
                                var sq = SIMD16<Float>(repeating: 0)
                                var j = 0
                                while j + 16 <= d {
                                    let c = UnsafeRawPointer(o + j).loadUnaligned(as: SIMD16<Float>.self)
                                    sq += c * c
                                    j += 16
                                }
                                var variance = sq.sum()
                                while j < d { variance += o[j] * o[j]; j += 1 }
                                let scale = 1 / (variance * inv + eps).squareRoot()
                                for j in 0..<d { o[j] = o[j] * scale * w[j] + b[j] }
                            }
                        }
                    }
                }
            }
        }
    }

    public static func layerNorm(_ x: Matrix, weight: [Float], bias: [Float], eps: Float) -> Matrix {
        var out = Matrix(rows: x.rows, cols: x.cols)
        layerNorm(x, weight: weight, bias: bias, eps: eps, into: &out)
        return out
    }

    /// Softmax of each of `rows` rows of width `cols` (leading dimension `ld`), in place.
    public static func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int) {
        inParallel(rows, grain: 32) { range in
            var inverse = [Float](repeating: 0, count: range.count)
            deft_exp_rows(p + range.lowerBound * ld, range.count, cols, ld, &inverse)
            for (i, r) in range.enumerated() {
                let row = p + r * ld
                for j in 0..<cols { row[j] *= inverse[i] }
            }
        }
    }

    /// Multi-head self-attention, softmax(Q·Kᵀ·scale)·V for each head of each sequence, read out of the
    /// stacked [rows, 3d] QKV product by strides and written into the head's columns of `context`.
    /// Sequences are consecutive row ranges (`lengths`), so a batch needs no mask. The (sequence, head)
    /// pairs are spread over the cores, each pair's two GEMMs and softmax on one core with its own
    /// scores buffer: 144 small GEMMs (k = 32 or 64) per image or window, which OpenBLAS would otherwise split
    /// over the cores one by one with a synchronisation each, and the scores stay in that core's cache.
    /// `softmax: false` leaves only the GEMMs, scheduled the same way: `deft bench` times sgemm alone on
    /// exactly the forward's GEMMs with it.
    public static func attention(_ qkv: UnsafePointer<Float>, lengths: [Int], heads: Int, headSize: Int, scale: Float,
                                 into context: UnsafeMutablePointer<Float>, softmax: Bool = true) {
        let d = heads * headSize, ld = 3 * d
        let starts = lengths.indices.map { lengths[..<$0].reduce(0, +) }
        let jobs = lengths.indices.filter { lengths[$0] > 0 }.flatMap { s in (0..<heads).map { (s, $0) } }
        let longest = lengths.max() ?? 0
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, jobs.count)
        guard parts > 0 else { return }
        var scratch = [Float](repeating: 0, count: parts * longest * longest)
        let shared = UncheckedSendable(value: (qkv, context))
        scratch.withUnsafeMutableBufferPointer { sp in
            let scores = UncheckedSendable(value: sp.baseAddress!)
            BLAS.singleThreaded {
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let (qkv, context) = shared.value
                    let s = scores.value + part * longest * longest
                    var inverseSums = [Float](repeating: 0, count: longest)
                    for j in stride(from: part, to: jobs.count, by: parts) {
                        let (sequence, head) = jobs[j]
                        let n = lengths[sequence], base = qkv + starts[sequence] * ld + head * headSize
                        BLAS.gemm(transA: false, transB: true, m: n, n: n, k: headSize, alpha: scale,
                                  a: base, lda: ld, b: base + d, ldb: ld, c: s, ldc: n)
                        // exp(s − max) unnormalised; each row's 1/Σ is applied to its headSize outputs
                        // after the second GEMM instead of to its n scores.
                        if softmax { deft_exp_rows(s, n, n, n, &inverseSums) }
                        let out = context + starts[sequence] * d + head * headSize
                        BLAS.gemm(transA: false, transB: false, m: n, n: headSize, k: n,
                                  a: s, lda: n, b: base + 2 * d, ldb: ld, c: out, ldc: d)
                        for r in 0..<(softmax ? n : 0) {
                            let o = out + r * d, inv = inverseSums[r]
                            for c in 0..<headSize { o[c] *= inv }
                        }
                    }
                }
            }
        }
    }

}

private struct UncheckedSendable<T>: @unchecked Sendable { let value: T }
