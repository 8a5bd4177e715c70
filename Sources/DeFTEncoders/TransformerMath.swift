import DeFT
import Foundation

/// The element-wise parts of a transformer layer, written as branch-free loops over raw rows so the
/// compiler vectorises them: at 336 px DINOv2 takes 24 M exponentials (softmax) and 11 M error functions
/// (GELU) per image, and calls to libm's scalar `expf`/`erff` would not vectorise. Shared by any
/// transformer forward in this module.
public enum TransformerMath {
    /// `exp(x)` to about 2 ulp (Cephes' expf polynomial after a Cody–Waite reduction), clamped to
    /// [−87, 88] so the result stays a normal float; the exponent is assembled from bits.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -87), 88)
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick: the integer lands in the low bits.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        var r = x - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let bits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return y * Float(bitPattern: bits)
    }

    /// `erf(x)` as Eigen's float rational approximation (odd degree-13 numerator over even degree-8
    /// denominator on x clamped to [−4, 4], where erf is ±1 in single precision); a few ulp.
    @inline(__always)
    public static func erf(_ v: Float) -> Float {
        let x = Swift.min(Swift.max(v, -4), 4)
        let x2 = x * x
        var p: Float = -2.726_142_258_013_06e-10
        p = p * x2 + 2.770_681_424_959_02e-08
        p = p * x2 + -2.101_024_020_825_08e-06
        p = p * x2 + -5.692_506_394_623_46e-05
        p = p * x2 + -7.349_906_303_268_55e-04
        p = p * x2 + -2.954_599_808_540_25e-03
        p = p * x2 + -1.609_603_332_624_15e-02
        p = p * x
        var q: Float = -1.456_607_184_649_96e-05
        q = q * x2 + -2.133_740_552_789_05e-04
        q = q * x2 + -1.682_826_974_382_03e-03
        q = q * x2 + -7.373_329_167_204_68e-03
        q = q * x2 + -1.426_473_905_141_89e-02
        return p / q
    }

    /// Exact (erf) GELU in place: `x · ½ · (1 + erf(x / √2))`.
    public static func gelu(_ m: inout Matrix) {
        m.storage.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            inParallel(buf.count, grain: 1 << 15) { range in
                for i in range {
                    let x = p[i]
                    p[i] = x * 0.5 * (1 + erf(x * 0.707_106_781_186_547_5))
                }
            }
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

    /// Four independent scalar maxima: `pointwiseMax` on SIMD vectors compiles to a per-lane loop here.
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var (m0, m1, m2, m3) = (-Float.infinity, -Float.infinity, -Float.infinity, -Float.infinity)
        var j = 0
        while j + 4 <= n {
            m0 = p[j] > m0 ? p[j] : m0
            m1 = p[j + 1] > m1 ? p[j + 1] : m1
            m2 = p[j + 2] > m2 ? p[j + 2] : m2
            m3 = p[j + 3] > m3 ? p[j + 3] : m3
            j += 4
        }
        while j < n { m0 = p[j] > m0 ? p[j] : m0; j += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
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
            for r in range {
                let row = p + r * ld
                let m = maximum(row, cols)
                for j in 0..<cols { row[j] = exp(row[j] - m) }
                let inv = 1 / sum(row, cols)
                for j in 0..<cols { row[j] *= inv }
            }
        }
    }

    /// `x += scale ⊙ y` row by row (LayerScale on a residual branch).
    public static func addScaled(_ x: inout Matrix, _ y: Matrix, scale: [Float]) {
        precondition(x.rows == y.rows && x.cols == y.cols && scale.count == x.cols)
        let d = x.cols
        x.storage.withUnsafeMutableBufferPointer { xs in
            y.storage.withUnsafeBufferPointer { ys in
                scale.withUnsafeBufferPointer { s in
                    for r in 0..<x.rows {
                        let xp = xs.baseAddress! + r * d, yp = ys.baseAddress! + r * d
                        for j in 0..<d { xp[j] += s[j] * yp[j] }
                    }
                }
            }
        }
    }
}

private struct UncheckedSendable<T>: @unchecked Sendable { let value: T }
