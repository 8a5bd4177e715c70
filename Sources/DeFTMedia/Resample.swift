/// Resizing RGB images: area averaging when shrinking (every source pixel contributes by the area it
/// covers), bilinear when enlarging. Results are floats in 0…255, row-major, 3 channels.
public enum Resample {
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width * height * 3)
        guard width > 0, height > 0, image.width > 0, image.height > 0 else { return out }
        let xw = weights(from: image.width, to: width), yw = weights(from: image.height, to: height)
        var row = [Float](repeating: 0, count: image.width * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    // Vertical pass into one source-width row, then horizontal.
                    for i in row.indices { row[i] = 0 }
                    for (sy, wy) in yw[y] {
                        let base = sy * image.width * 3
                        for i in 0..<(image.width * 3) { row[i] += wy * Float(src[base + i]) }
                    }
                    for x in 0..<width {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for (sx, wx) in xw[x] { r += wx * row[3 * sx]; g += wx * row[3 * sx + 1]; b += wx * row[3 * sx + 2] }
                        let o = (y * width + x) * 3
                        dst[o] = r; dst[o + 1] = g; dst[o + 2] = b
                    }
                }
            }
        }
        return out
    }

    /// For each output index, the source indices and weights (summing to 1) that make it.
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { o in
            if scale >= 1 {   // shrinking: the exact area covered
                let a = Double(o) * scale, b = a + scale
                var out: [(Int, Float)] = []
                var s = Int(a)
                while Double(s) < b && s < n {
                    let cover = min(b, Double(s + 1)) - max(a, Double(s))
                    if cover > 1e-9 { out.append((s, Float(cover / scale))) }
                    s += 1
                }
                return out
            }
            let c = (Double(o) + 0.5) * scale - 0.5   // enlarging: bilinear between centres
            let s0 = max(0, min(n - 1, Int(c.rounded(.down))))
            let s1 = min(n - 1, s0 + 1)
            let t = Float(max(0, min(1, c - Double(s0))))
            return s0 == s1 ? [(s0, Float(1))] : [(s0, 1 - t), (s1, t)]
        }
    }

    /// The resized image as 8-bit pixels.
    public static func resizedImage(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height,
                 pixels: resize(image, width: width, height: height).map { UInt8(max(0, min(255, $0.rounded()))) })
    }
}
