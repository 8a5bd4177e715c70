import Foundation

/// `PATH[:KEY]`: a `.npy` file, or a tensor of a `.safetensors` file (the key may be left out
/// when the file holds one tensor).
public struct ArrayReference: Sendable {
    public let path: String
    public let key: String?

    public init(_ text: String) {
        if let colon = text.lastIndex(of: ":"), text[..<colon].hasSuffix(".safetensors") {
            path = String(text[..<colon]); key = String(text[text.index(after: colon)...])
        } else {
            path = text; key = nil
        }
    }

    public var label: String { key.map { "\(path):\($0)" } ?? path }

    public func load() throws -> Tensor { try loadWithMetadata().tensor }

    /// The array and its file's metadata (a safetensors `__metadata__`; none for .npy).
    public func loadWithMetadata() throws -> (tensor: Tensor, metadata: [String: String]) {
        if path.hasSuffix(".safetensors") {
            let file = try SafetensorsFile.load(path: path)
            if let key { return (try file.floats(key), file.metadata) }
            guard file.names.count == 1 else {
                throw DeFTError(path, "holds \(file.names.count) tensors; name one as \(path):KEY (\(file.names.joined(separator: ", ")))")
            }
            return (try file.floats(file.names[0]), file.metadata)
        }
        if path.hasSuffix(".npy") { return (try Npy.load(path: path), [:]) }
        throw DeFTError(path, "expected a .npy file or FILE.safetensors[:KEY]")
    }

    /// The array as B·N rows of `width` (when given): [N,w] is one input, [B,N,w] a batch.
    public func loadRows(batch: Int, tokens n: Int, width: Int?, what: String) throws -> Matrix {
        let t = try load()
        let expected = width.map { "[\(n), \($0)] or [\(batch), \(n), \($0)]" } ?? "[\(n), C] or [\(batch), \(n), C]"
        let ok: Bool
        switch t.shape.count {
        case 2: ok = batch == 1 && t.shape[0] == n
        case 3: ok = t.shape[0] == batch && t.shape[1] == n
        default: ok = false
        }
        guard ok, width == nil || t.shape.last == width, (t.shape.last ?? 0) > 0 else {
            throw DeFTError(label, "\(what) has shape \(t.shape), expected \(expected)")
        }
        return t.asMatrix()
    }
}
