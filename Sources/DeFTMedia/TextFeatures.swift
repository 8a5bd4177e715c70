import DeFT

/// The built-in text encoder: hashed character 3-grams of each token (with word boundaries) into 64
/// signed buckets, L2-normalised, plus 4 values: position in the text, capitalised, numeric, punctuation.
/// Deterministic and weight-free; named "built-in text features (hashed n-grams)" in the viewer.
public enum TextFeatures {
    public static let width = 68
    public static let origin = "built-in text features (hashed n-grams)"

    public static func encode(_ doc: TextDocument) -> Matrix {
        let n = doc.tokens.count
        var out = Matrix(rows: n, cols: width)
        for (i, t) in doc.tokens.enumerated() {
            let chars = Array(("<" + t.surface.lowercased() + ">").unicodeScalars)
            var v = [Float](repeating: 0, count: 64)
            for k in 0..<max(1, chars.count - 2) {
                var h: UInt32 = 2_166_136_261   // FNV-1a over the 3-gram
                for s in chars[k..<min(chars.count, k + 3)] { h = (h ^ s.value) &* 16_777_619 }
                v[Int(h % 64)] += (h >> 31) == 0 ? 1 : -1
            }
            let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-6)
            for j in 0..<64 { out[i, j] = v[j] / norm }
            let first = t.surface.unicodeScalars.first
            out[i, 64] = n > 1 ? Float(i) / Float(n - 1) : 0
            out[i, 65] = first.map { $0.properties.isUppercase ? 1 : 0 } ?? 0
            out[i, 66] = first.map { $0.properties.numericType != nil ? 1 : 0 } ?? 0
            out[i, 67] = first.map { $0.properties.isAlphabetic || $0.properties.numericType != nil ? 0 : 1 } ?? 0
        }
        return out
    }
}
