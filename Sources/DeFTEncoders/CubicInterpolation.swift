/// The two bicubic resamplers the vision encoder needs. They differ on purpose: the position-embedding
/// grid must be resized exactly as the ONNX graph does it, while photographs are shrunk many times over
/// and need a kernel that widens with the scale (antialiasing) to avoid aliasing.
public enum CubicInterpolation {
    /// Taps and weights of one output sample along one axis.
    public struct Taps: Sendable, Equatable {
        public var indices: [Int]
        public var weights: [Float]
    }

    /// Keys' cubic convolution kernel with parameter `a`.
    @inline(__always)
    static func keys(_ t: Double, a: Double) -> Double {
        let x = abs(t)
        if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((x - 5) * x + 8) * x * a - 4 * a }
        return 0
    }

    /// ONNX `Resize` (mode cubic, cubic_coeff_a = −0.75, coordinate_transformation_mode half_pixel,
    /// exclude_outside 0, no antialias) — also PyTorch's `interpolate(mode="bicubic", align_corners=False)`:
    /// the output sample x reads the source at (x + ½)·in/out − ½, four taps around it, indices clamped
    /// to the edge (so the border is replicated), no renormalisation.
    public static func onnxCubicTaps(from n: Int, to m: Int, a: Double = -0.75) -> [Taps] {
        // ONNX Runtime takes the scale as a float ratio out/in and divides by it.
        let scale = Double(Float(m) / Float(n))
        return (0..<m).map { x in
            let src = (Double(x) + 0.5) / scale - 0.5
            let base = Int(src.rounded(.down))
            let t = src - Double(base)
            var idx: [Int] = [], w: [Float] = []
            for k in -1...2 {
                idx.append(Swift.min(Swift.max(base + k, 0), n - 1))
                w.append(Float(keys(t - Double(k), a: a)))
            }
            return Taps(indices: idx, weights: w)
        }
    }

    /// Pillow's `Image.resize(..., BICUBIC)` weights: Keys' kernel with a = −0.5, centred at
    /// (x + ½)·in/out, its support (2) stretched by in/out when shrinking (antialiasing), taps that fall
    /// outside the image dropped and the rest renormalised to sum to 1.
    public static func pillowBicubicTaps(from n: Int, to m: Int) -> [Taps] {
        let scale = Double(n) / Double(m)
        let filterScale = Swift.max(scale, 1)
        let support = 2 * filterScale
        return (0..<m).map { x in
            let center = (Double(x) + 0.5) * scale
            // Pillow truncates toward zero here (a C cast), then clamps.
            let lo = Swift.max(Int(center - support + 0.5), 0)
            let hi = Swift.min(Int(center + support + 0.5), n)
            var idx: [Int] = [], w: [Double] = []
            for s in lo..<Swift.max(hi, lo) {
                idx.append(s)
                w.append(keys((Double(s) - center + 0.5) / filterScale, a: -0.5))
            }
            let total = w.reduce(0, +)
            return Taps(indices: idx, weights: w.map { Float(total != 0 ? $0 / total : 0) })
        }
    }

    /// Resizes a grid of `channels`-wide vectors stored row-major [height, width, channels] with separable
    /// taps: along each row first (into a [height, outWidth] buffer), then along each column. `eightBit`
    /// rounds and clips to 0…255 after each pass, as Pillow does for 8-bit images — it matters where the
    /// cubic kernel overshoots at sharp edges.
    public static func resize(_ src: [Float], height: Int, width: Int, channels: Int,
                              rowTaps: [Taps], columnTaps: [Taps], eightBit: Bool = false) -> [Float] {
        let outH = rowTaps.count, outW = columnTaps.count
        var mid = [Float](repeating: 0, count: height * outW * channels)
        src.withUnsafeBufferPointer { s in
            mid.withUnsafeMutableBufferPointer { d in
                for y in 0..<height {
                    for x in 0..<outW {
                        let o = d.baseAddress! + (y * outW + x) * channels
                        let taps = columnTaps[x]
                        for (i, wt) in zip(taps.indices, taps.weights) {
                            let p = s.baseAddress! + (y * width + i) * channels
                            for c in 0..<channels { o[c] += wt * p[c] }
                        }
                    }
                }
            }
        }
        if eightBit { quantise(&mid) }
        var out = [Float](repeating: 0, count: outH * outW * channels)
        mid.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                let rowWidth = outW * channels
                for y in 0..<outH {
                    let o = d.baseAddress! + y * rowWidth
                    let taps = rowTaps[y]
                    for (i, wt) in zip(taps.indices, taps.weights) {
                        let p = s.baseAddress! + i * rowWidth
                        for c in 0..<rowWidth { o[c] += wt * p[c] }
                    }
                }
            }
        }
        if eightBit { quantise(&out) }
        return out
    }

    /// Round half up and clip to 0…255 (Pillow's fixed-point rounding, then `clip8`).
    static func quantise(_ v: inout [Float]) {
        for i in v.indices { v[i] = Swift.min(Swift.max((v[i] + 0.5).rounded(.down), 0), 255) }
    }
}
