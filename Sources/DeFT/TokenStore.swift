import Foundation

/// Encoded inputs held as float16: `count` inputs of N tokens of width d, their labels and, when the
/// encoder gives one, a per-token score of its own (a ViT's last-block CLS attention). Half precision
/// halves what 10 000 images of 256 DINOv2 tokens occupy (1.9 GB instead of 3.9 GB); a batch is widened
/// to float32 only when it is read.
public struct TokenStore: Sendable, Equatable {
    public let count: Int, tokens: Int, width: Int
    public let halves: [UInt16]
    public let labels: [Int]
    public let attention: [Float]?   // count · N
    /// Which encoder made the tokens (shown in every report).
    public let encoder: String

    public init(tokens n: Int, width d: Int, inputs: [Matrix], labels: [Int], attention: [[Float]]?, encoder: String) {
        precondition(inputs.count == labels.count && inputs.allSatisfy { $0.rows == n && $0.cols == d })
        count = inputs.count; tokens = n; width = d; self.labels = labels; self.encoder = encoder
        halves = inputs.flatMap { $0.storage.map { Float16($0).bitPattern } }
        self.attention = attention.map { a in precondition(a.allSatisfy { $0.count == n }); return a.flatMap { $0 } }
    }

    private init(count: Int, tokens: Int, width: Int, halves: [UInt16], labels: [Int], attention: [Float]?, encoder: String) {
        self.count = count; self.tokens = tokens; self.width = width; self.halves = halves
        self.labels = labels; self.attention = attention; self.encoder = encoder
    }

    /// The stores one after another (shards of one split); they must agree in shape and encoder.
    public init(concatenating parts: [TokenStore]) {
        let first = parts.first!
        precondition(parts.allSatisfy { $0.tokens == first.tokens && $0.width == first.width && $0.encoder == first.encoder })
        let attention = parts.allSatisfy { $0.attention != nil } ? parts.flatMap { $0.attention! } : nil
        self.init(count: parts.reduce(0) { $0 + $1.count }, tokens: first.tokens, width: first.width,
                  halves: parts.flatMap(\.halves), labels: parts.flatMap(\.labels), attention: attention, encoder: first.encoder)
    }

    /// Input i as N × d.
    public func input(_ i: Int) -> Matrix { batch([i]) }

    /// The inputs at `indices` stacked (B·N × d).
    public func batch(_ indices: [Int]) -> Matrix {
        let per = tokens * width
        var out = [Float](repeating: 0, count: indices.count * per)
        halves.withUnsafeBufferPointer { h in
            for (o, i) in indices.enumerated() {
                for j in 0..<per { out[o * per + j] = Float(Float16(bitPattern: h[i * per + j])) }
            }
        }
        return Matrix(rows: indices.count * tokens, cols: width, storage: out)
    }

    public func attention(_ i: Int) -> [Float]? { attention.map { Array($0[(i * tokens)..<((i + 1) * tokens)]) } }

    // File: "DEFTTOK1", a little-endian UInt64 header length, a JSON header, then the halves, the labels
    // (Int32) and the attention (Float32), all little-endian.
    struct Header: Codable { var count: Int, tokens: Int, width: Int, attention: Bool, encoder: String }
    static let magic = Data("DEFTTOK1".utf8)

    public func write(to path: String) throws {
        var data = Self.magic
        let header = try JSONEncoder().encode(Header(count: count, tokens: tokens, width: width, attention: attention != nil, encoder: encoder))
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        halves.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        labels.map { Int32($0).littleEndian }.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        if let attention { attention.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) } }
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Write then rename: an interrupted run never leaves a truncated cache behind.
            let partial = url.appendingPathExtension("partial")
            try data.write(to: partial)
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: partial, to: url)
        } catch {
            throw DeFTError(path, "cannot write the token cache: \(error.localizedDescription)")
        }
    }

    public static func load(path: String) throws -> TokenStore {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the token cache") }
        return try TokenStore(data: data, path: path)
    }

    public init(data: Data, path: String) throws {
        let bytes = data.startIndex == 0 ? data : Data(data)   // indices from 0 below; no copy of a whole file
        guard bytes.count >= 16, Data(bytes[0..<8]) == Self.magic else { throw DeFTError(path, "not a deft token cache (magic DEFTTOK1)") }
        var length = 0
        for i in 0..<8 { length |= Int(bytes[8 + i]) << (8 * i) }
        guard length > 0, length <= bytes.count - 16 else { throw DeFTError(path, "header length \(length) runs past the end of the file") }
        let h: Header
        do { h = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + length)])) } catch {
            throw DeFTError(path, "the token cache's header is not valid JSON")
        }
        let (n, d, c) = (h.count, h.tokens, h.width)
        guard n >= 0, d > 0, c > 0, n <= 10_000_000, d <= 1_000_000, c <= 100_000 else { throw DeFTError(path, "implausible shape \(n)×\(d)×\(c)") }
        let values = n * d * c, start = 16 + length
        let expected = start + values * 2 + n * 4 + (h.attention ? n * d * 4 : 0)
        guard bytes.count == expected else { throw DeFTError(path, "holds \(bytes.count) bytes, its header promises \(expected)") }
        let halves = bytes.withUnsafeBytes { p in (0..<values).map { UInt16(littleEndian: p.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self)) } }
        let lStart = start + values * 2
        let labels = bytes.withUnsafeBytes { p in (0..<n).map { Int(Int32(littleEndian: p.loadUnaligned(fromByteOffset: lStart + 4 * $0, as: Int32.self))) } }
        let aStart = lStart + n * 4
        let attention = h.attention ? bytes.withUnsafeBytes { p in
            (0..<(n * d)).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: aStart + 4 * $0, as: UInt32.self))) }
        } : nil
        self.init(count: n, tokens: d, width: c, halves: halves, labels: labels, attention: attention, encoder: h.encoder)
    }
}
