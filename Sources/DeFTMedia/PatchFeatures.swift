import DeFT
import Foundation

/// The built-in patch encoder: deterministic, weight-free features that carry what a patch shows.
/// It is not a neural encoder and the viewer says so ("built-in patch features").
///
/// The image is area-resampled so each patch is 8×8 pixels, then each patch gives d = 33 values:
/// - mean and standard deviation of CIE L*a*b* (6): colour as people perceive it, scaled by 1/100;
/// - a 4×4 thumbnail of L* minus the patch mean (16): the patch's layout of light and dark;
/// - an 8-bin histogram of gradient orientations weighted by magnitude (8), scaled by tanh(mean
///   magnitude / 10) so flat patches stay near zero: edges and texture;
/// - position (3): row and column centre in (0, 1), and the frame's place in a clip (0 for a still).
public enum PatchFeatures {
    public static let width = 33
    public static let origin = "built-in patch features"
    static let patch = 8

    public static func encode(_ image: RGBImage, gridHeight: Int, gridWidth: Int,
                              frame: Int = 0, frames: Int = 1) -> Matrix {
        let p = patch, w = gridWidth * p, h = gridHeight * p
        let rgb = Resample.resize(image, width: w, height: h)
        var lab = [Float](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) {
            let (l, a, b) = Self.lab(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])
            lab[3 * i] = l; lab[3 * i + 1] = a; lab[3 * i + 2] = b
        }
        var out = Matrix(rows: gridHeight * gridWidth, cols: width)
        let framePos: Float = frames > 1 ? Float(frame) / Float(frames - 1) : 0
        out.storage.withUnsafeMutableBufferPointer { o in
            for gr in 0..<gridHeight {
                for gc in 0..<gridWidth {
                    let f = o.baseAddress! + (gr * gridWidth + gc) * width
                    var sum = [Double](repeating: 0, count: 3), sq = sum
                    for y in 0..<p {
                        for x in 0..<p {
                            let i = ((gr * p + y) * w + gc * p + x) * 3
                            for c in 0..<3 { let v = Double(lab[i + c]); sum[c] += v; sq[c] += v * v }
                        }
                    }
                    let n = Double(p * p)
                    for c in 0..<3 {
                        let mean = sum[c] / n
                        f[c] = Float(mean / 100)
                        f[3 + c] = Float((max(0, sq[c] / n - mean * mean)).squareRoot() / 100)
                    }
                    let meanL = Float(sum[0] / n)
                    for ty in 0..<4 {
                        for tx in 0..<4 {
                            var acc: Float = 0
                            for dy in 0..<2 { for dx in 0..<2 { acc += lab[((gr * p + ty * 2 + dy) * w + gc * p + tx * 2 + dx) * 3] } }
                            f[6 + ty * 4 + tx] = (acc / 4 - meanL) / 100
                        }
                    }
                    var hist = [Float](repeating: 0, count: 8)
                    var magSum: Float = 0
                    for y in 0..<p {
                        for x in 0..<p {
                            let yy = gr * p + y, xx = gc * p + x
                            let l = { (x: Int, y: Int) in lab[(min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)) * 3] }
                            let gx = l(xx + 1, yy) - l(xx - 1, yy), gy = l(xx, yy + 1) - l(xx, yy - 1)
                            let mag = (gx * gx + gy * gy).squareRoot()
                            guard mag > 1e-6 else { continue }
                            var angle = atan2(gy, gx)
                            if angle < 0 { angle += 2 * .pi }
                            hist[min(7, Int(angle / (2 * .pi) * 8))] += mag
                            magSum += mag
                        }
                    }
                    let strength = tanh(magSum / Float(p * p) / 10)
                    for b in 0..<8 { f[22 + b] = magSum > 0 ? hist[b] / magSum * strength : 0 }
                    f[30] = (Float(gr) + 0.5) / Float(gridHeight)
                    f[31] = (Float(gc) + 0.5) / Float(gridWidth)
                    f[32] = framePos
                }
            }
        }
        return out
    }

    /// Token features of a clip: frames one after another, as the video layout expects.
    public static func encode(frames: [RGBImage], gridHeight: Int, gridWidth: Int, progress: ((Int, Int) -> Void)? = nil) -> Matrix {
        var storage: [Float] = []
        storage.reserveCapacity(frames.count * gridHeight * gridWidth * width)
        for (t, image) in frames.enumerated() {
            storage += encode(image, gridHeight: gridHeight, gridWidth: gridWidth, frame: t, frames: frames.count).storage
            progress?(t + 1, frames.count)
        }
        return Matrix(rows: frames.count * gridHeight * gridWidth, cols: width, storage: storage)
    }

    /// sRGB (0…255) to CIE L*a*b* (D65).
    static func lab(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        func lin(_ c: Float) -> Float { let v = c / 255; return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        let (rl, gl, bl) = (lin(r), lin(g), lin(b))
        let x = (0.4124 * rl + 0.3576 * gl + 0.1805 * bl) / 0.95047
        let y = 0.2126 * rl + 0.7152 * gl + 0.0722 * bl
        let z = (0.0193 * rl + 0.1192 * gl + 0.9505 * bl) / 1.08883
        func f(_ t: Float) -> Float { t > 0.008856 ? cbrt(t) : 7.787 * t + 16 / 116 }
        let (fx, fy, fz) = (f(x), f(y), f(z))
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }
}
