import DeFT

/// Binary PPM (P6) and PGM (P5), 8-bit.
enum PNM {
    static func decode(_ b: [UInt8], source: String) throws -> RGBImage {
        var i = 2
        func token() throws -> Int {
            while i < b.count {
                if b[i] == UInt8(ascii: "#") { while i < b.count && b[i] != 0x0A { i += 1 } }
                else if b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
                else { break }
            }
            var v = 0, digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39, digits < 9 {
                v = v * 10 + Int(b[i] - 0x30); i += 1; digits += 1
            }
            guard digits > 0 else { throw DeFTError(source, "malformed PPM/PGM header") }
            return v
        }
        let grey = b[1] == UInt8(ascii: "5")
        let w = try token(), h = try token(), maxval = try token()
        i += 1   // the single whitespace before the raster
        guard maxval == 255 else { throw DeFTError(source, "only 8-bit PPM/PGM (maxval 255) is supported, found \(maxval)") }
        guard w > 0, h > 0, w <= 16384, h <= 16384, w * h <= 64 * 1024 * 1024 else {
            throw DeFTError(source, "image is \(w)x\(h), outside what deft decodes")
        }
        let channels = grey ? 1 : 3
        guard b.count - i >= w * h * channels else {
            throw DeFTError(source, "truncated: \(b.count - i) bytes of pixels, \(w * h * channels) needed")
        }
        if !grey { return RGBImage(width: w, height: h, pixels: Array(b[i..<(i + w * h * 3)])) }
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for p in 0..<(w * h) { let v = b[i + p]; px[3 * p] = v; px[3 * p + 1] = v; px[3 * p + 2] = v }
        return RGBImage(width: w, height: h, pixels: px)
    }
}
