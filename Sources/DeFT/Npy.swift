import Foundation

/// NumPy `.npy` arrays: float32, float64 and float16, little-endian, C order (versions 1–3).
/// Anything else is refused with a message naming what the file holds.
public enum Npy {
    public static func load(path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DeFTError(path, "not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw DeFTError(path, "truncated .npy header") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw DeFTError(path, "unsupported .npy version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DeFTError(path, "the .npy header (\(headerLength) bytes) runs past the end of the file")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw DeFTError(path, "the .npy header is not text")
        }
        let descr = try field(header, "descr", path)
        let fortran = try field(header, "fortran_order", path)
        let shapeText = try field(header, "shape", path)
        guard fortran == "False" else { throw DeFTError(path, "Fortran-order arrays are not supported; save with np.ascontiguousarray") }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        let size: Int
        switch dtype {
        case "<f4": size = 4
        case "<f8": size = 8
        case "<f2": size = 2
        case ">f4", ">f8", ">f2": throw DeFTError(path, "big-endian \(dtype) is not supported; convert with .astype('<f4')")
        default: throw DeFTError(path, "dtype \(dtype) is not supported (float32, float64 or float16 expected)")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw DeFTError(path, "bad dimension '\(d)' in shape \(shapeText)") }
            shape.append(v)
        }
        let dataStart = headerStart + headerLength
        guard let count = Tensor.elementCount(shape), case let (need, o) = count.multipliedReportingOverflow(by: size), !o else {
            throw DeFTError(path, "shape \(shape) overflows")
        }
        guard bytes.count - dataStart == need else {
            throw DeFTError(path, "holds \(bytes.count - dataStart) bytes of data but \(dtype) \(shape) needs \(need)")
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let p = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            for i in 0..<count {
                switch size {
                case 4: values[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                case 8: values[i] = Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
                default: values[i] = HalfFloat.fromFloat16Bits(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
        }
        let t = Tensor(shape: shape, values: values)
        try t.checkFinite(path, "array")
        return t
    }

    /// The value text of `'key': value` in the header dictionary.
    private static func field(_ header: String, _ key: String, _ path: String) throws -> String {
        guard let r = header.range(of: "'\(key)':") else { throw DeFTError(path, "the .npy header has no '\(key)'") }
        let rest = header[r.upperBound...].drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { throw DeFTError(path, "unterminated shape in the .npy header") }
            return String(rest[...close])
        }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }

    /// A version-1 float32 C-order `.npy` file.
    public static func write(_ t: Tensor, to path: String) throws {
        var out = header(descr: "<f4", shape: t.shape)
        for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        try save(out, to: path)
    }

    /// A version-1 float16 C-order `.npy` file from half-precision bit patterns, written as they are
    /// (tokens stored as float16 stay bit-exact).
    public static func write(halves: [UInt16], shape: [Int], to path: String) throws {
        precondition(Tensor.elementCount(shape) == halves.count, "\(halves.count) values do not fill shape \(shape)")
        var out = header(descr: "<f2", shape: shape)
        for h in halves { withUnsafeBytes(of: h.littleEndian) { out.append(contentsOf: $0) } }
        try save(out, to: path)
    }

    private static func header(descr: String, shape dims: [Int]) -> Data {
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        out.append(contentsOf: Array(header.utf8))
        return out
    }

    private static func save(_ out: Data, to path: String) throws {
        do { try out.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DeFTError(path, "cannot write: \(error.localizedDescription)")
        }
    }
}
