/// Viridis: perceptually uniform, readable by the colour-blind, and monotone in lightness (so it
/// still orders values when printed in grey). Evaluated from a published degree-6 polynomial fit.
public enum ColorMap {
    private static let c: [(Double, Double, Double)] = [
        (0.2777273272234177, 0.005407344544966578, 0.3340998053353061),
        (0.1050930431085774, 1.404613529898575, 1.384590162594685),
        (-0.3308618287255563, 0.214847559468213, 0.09509516302823659),
        (-4.634230498983486, -5.799100973351585, -19.33244095627987),
        (6.228269936347081, 14.17993336680509, 56.69055260068105),
        (4.776384997670288, -13.74514537774601, -65.35303263337234),
        (-5.435455855934631, 4.645852612178535, 26.3124352495832),
    ]

    /// The colour of `t` in [0, 1] (clamped; NaN → 0).
    public static func viridis(_ t: Float) -> RGB {
        let x = t.isNaN ? 0 : Double(min(max(t, 0), 1))
        var r = 0.0, g = 0.0, b = 0.0
        for k in c.reversed() {
            r = r * x + k.0; g = g * x + k.1; b = b * x + k.2
        }
        func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, (v * 255).rounded()))) }
        return RGB(byte(r), byte(g), byte(b))
    }

    /// Shade glyphs for terminals without colour, darkest first.
    public static func shade(_ t: Float, unicode: Bool) -> Character {
        let ramp: [Character] = unicode ? [" ", "░", "▒", "▓", "█"] : [" ", ".", ":", "+", "#"]
        let x = t.isNaN ? 0 : min(max(t, 0), 1)
        return ramp[min(ramp.count - 1, Int(x * Float(ramp.count)))]
    }
}

extension RGB {
    /// `self·(1−t) + other·t`.
    func mixed(_ other: RGB, _ t: Float) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8(max(0, min(255, (Float(a) * (1 - t) + Float(b) * t).rounded()))) }
        return RGB(m(r, other.r), m(g, other.g), m(b, other.b))
    }

    func scaled(_ k: Float) -> RGB {
        func s(_ a: UInt8) -> UInt8 { UInt8(max(0, min(255, (Float(a) * k).rounded()))) }
        return RGB(s(r), s(g), s(b))
    }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the encoded values, good enough for shading).
    var luminance: Float { (0.2126 * Float(r) + 0.7152 * Float(g) + 0.0722 * Float(b)) / 255 }

    /// What a pruned token looks like: most colour gone and darker, so kept tokens stand out.
    var pruned: RGB {
        let l = UInt8(luminance * 255)
        return mixed(RGB(l, l, l), 0.75).scaled(0.4)
    }
}
