import Foundation

/// A safetensors file (8-byte little-endian header length, a JSON header, then raw data),
/// validated as a whole on load: a header that fits the file, known dtypes, offsets inside the
/// data that match dtype × shape, no overlapping tensors, no overflowing shapes.
public struct SafetensorsFile: Sendable {
    public struct Entry: Sendable {
        public let dtype: String
        public let shape: [Int]
        let start: Int   // absolute byte offset in `data`
        let end: Int
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data

    public var names: [String] { entries.keys.sorted() }
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    static let dtypeSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    public static func load(path: String) throws -> SafetensorsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeFTError(path, "cannot read the file")
        }
        return try SafetensorsFile(data: data, path: path)
    }

    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        guard data.count >= 8 else { throw DeFTError(path, "not a safetensors file: \(data.count) bytes, shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw DeFTError(path, "header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        let base = 8 + Int(headerLength)
        let headerData = data.subdata(in: data.startIndex + 8 ..< data.startIndex + base)
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw DeFTError(path, "the header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = data.count - base
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw DeFTError(path, "__metadata__ is not an object") }
                for (k, v) in m { metadata[k] = (v as? String) ?? "\(v)" }
                continue
            }
            guard let e = value as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"].flatMap(JSONNumber.integers), let offsets = e["data_offsets"].flatMap(JSONNumber.integers),
                  offsets.count == 2 else {
                throw DeFTError(path, "tensor '\(name)' needs dtype, shape and two data_offsets")
            }
            guard let size = Self.dtypeSizes[dtype] else { throw DeFTError(path, "tensor '\(name)' has unsupported dtype \(dtype)") }
            guard let count = Tensor.elementCount(shape), case let (bytes, o) = count.multipliedReportingOverflow(by: size), !o else {
                throw DeFTError(path, "tensor '\(name)' has shape \(shape) whose size overflows")
            }
            let (s, t) = (offsets[0], offsets[1])
            guard s >= 0, t >= s, t <= dataSize else {
                throw DeFTError(path, "tensor '\(name)' has offsets [\(s), \(t)) outside the data (\(dataSize) bytes)")
            }
            guard t - s == bytes else {
                throw DeFTError(path, "tensor '\(name)' holds \(t - s) bytes but \(dtype) \(shape) needs \(bytes)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, start: base + s, end: base + t)
        }
        // Empty tensors hold no bytes and overlap nothing; leaving them in made the check depend on how
        // ties in `start` happened to sort (an empty tensor at a neighbour's start, or inside it).
        let sorted = entries.filter { $0.value.start < $0.value.end }.sorted { $0.value.start < $1.value.start }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.value.end > b.value.start {
            throw DeFTError(path, "tensors '\(a.key)' and '\(b.key)' overlap")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else { throw DeFTError(path, "no tensor '\(name)' (has: \(names.joined(separator: ", ")))") }
        return e
    }

    /// A float tensor, widened from F16/BF16/F64 (integers are converted too); NaN and infinity
    /// are errors naming the tensor and the index.
    public func floats(_ name: String) throws -> Tensor {
        let e = try entry(name)
        let values: [Float] = data.withUnsafeBytes { raw in
            let p = UnsafeRawBufferPointer(rebasing: raw[e.start..<e.end])
            switch e.dtype {
            case "F32": return (0..<(p.count / 4)).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            case "F64": return (0..<(p.count / 8)).map { Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
            case "F16": return (0..<(p.count / 2)).map { HalfFloat.fromFloat16Bits(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            case "BF16": return (0..<(p.count / 2)).map { HalfFloat.fromBFloat16Bits(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            default: return Self.integerValues(p, e.dtype).map(Float.init)
            }
        }
        let t = Tensor(shape: e.shape, values: values)
        try t.checkFinite(path, name)
        return t
    }

    /// An integer tensor (I64, I32, I16, I8, U8, BOOL).
    public func integers(_ name: String) throws -> (shape: [Int], values: [Int]) {
        let e = try entry(name)
        guard !e.dtype.hasPrefix("F") && e.dtype != "BF16" else {
            throw DeFTError(path, "tensor '\(name)' is \(e.dtype), expected integers")
        }
        let v = data.withUnsafeBytes { Self.integerValues(UnsafeRawBufferPointer(rebasing: $0[e.start..<e.end]), e.dtype) }
        return (e.shape, v)
    }

    private static func integerValues(_ p: UnsafeRawBufferPointer, _ dtype: String) -> [Int] {
        switch dtype {
        case "I64": return (0..<(p.count / 8)).map { Int(Int64(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
        case "I32": return (0..<(p.count / 4)).map { Int(Int32(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
        case "I16": return (0..<(p.count / 2)).map { Int(Int16(littleEndian: p.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) }
        case "I8": return p.map { Int(Int8(bitPattern: $0)) }
        default: return p.map { Int($0) }
        }
    }

    /// How `write` stores floats.
    public enum FloatType: String, Sendable { case f32 = "F32", f16 = "F16" }

    /// Writes float tensors the way the Python library does: keys sorted, data in key order,
    /// the JSON header padded with spaces to a multiple of 8 bytes. `.f16` halves the file (stored
    /// encoder tokens); a value beyond float16's range (±65504) is an error naming the tensor.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             as type: FloatType = .f32, to path: String) throws {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            parts.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var offset = 0
        let ordered = tensors.sorted { $0.name < $1.name }
        let size = type == .f32 ? 4 : 2
        for (name, t) in ordered {
            if type == .f16, let i = t.values.firstIndex(where: { !(abs($0) <= 65504) }) {
                throw DeFTError(path, "tensor '\(name)' holds \(t.values[i]) at \(i), outside float16's range")
            }
            let bytes = t.values.count * size
            parts.append("\(jsonString(name)):{\"dtype\":\"\(type.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for (_, t) in ordered where type == .f16 {
            for v in t.values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        for (_, t) in ordered where type == .f32 {
            t.values.withUnsafeBufferPointer { p in
                if UInt32(1).littleEndian == 1, p.count > 0 { out.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self), count: p.count * 4)) }
                else { for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } } }
            }
        }
        do { try out.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DeFTError(path, "cannot write: \(error.localizedDescription)")
        }
    }

    private static func jsonString(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        let arr = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(arr.dropFirst().dropLast())
    }
}
