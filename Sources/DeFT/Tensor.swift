/// An n-dimensional float array as read from a file: row-major values and a shape.
/// Integer and half-precision data are widened to `Float` on read.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// The last dimension as columns and everything before it as rows ([N,d], [B,N,d] → B·N × d).
    public func asMatrix() -> Matrix {
        let cols = shape.last ?? 1
        return Matrix(rows: cols == 0 ? 0 : values.count / cols, cols: cols, storage: values)
    }

    /// The product of `shape`, or nil when it overflows `Int` or a dimension is negative.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    /// Throws naming `name` and the flat index of the first NaN or infinity.
    public func checkFinite(_ source: String, _ name: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw DeFTError(source, "tensor '\(name)' holds \(values[i]) at flat index \(i)")
        }
    }
}

/// Half-precision widening shared by the safetensors and npy readers.
enum HalfFloat {
    static func fromFloat16Bits(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }
            // Subnormal: value = mant · 2^-24.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? v : -v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }

    static func fromBFloat16Bits(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }
}
