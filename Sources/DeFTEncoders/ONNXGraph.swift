import DeFT
import Foundation
import SwiftProtobuf

/// An ONNX model's graph as far as weight conversion needs it: initializers by name, nodes by name.
public struct ONNXGraph {
    public let source: String
    let model: Onnx_ModelProto
    let initializers: [String: Onnx_TensorProto]
    let nodes: [String: Onnx_NodeProto]

    public init(data: Data, source: String) throws {
        self.source = source
        do { model = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw DeFTError(source, "not a readable ONNX model (\(error)) — run `deft models fetch` again")
        }
        initializers = Dictionary(model.graph.initializer.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        nodes = Dictionary(model.graph.node.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public var initializerNames: [String] { initializers.keys.sorted() }

    /// A float32 initializer, from `raw_data` (little-endian) or `float_data`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let t = initializers[name] else { throw DeFTError(source, "the graph has no initializer '\(name)'") }
        let shape = t.dims.map { Int($0) }
        guard t.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw DeFTError(source, "initializer '\(name)' has data type \(t.dataType), expected float32")
        }
        guard let count = Tensor.elementCount(shape) else { throw DeFTError(source, "initializer '\(name)' has shape \(shape)") }
        var values: [Float]
        if !t.rawData.isEmpty {
            guard t.rawData.count == count * 4 else {
                throw DeFTError(source, "initializer '\(name)' holds \(t.rawData.count) bytes for shape \(shape)")
            }
            values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in t.rawData.copyBytes(to: dst.bindMemory(to: UInt8.self)) }
            if UInt32(1).littleEndian != 1 { values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) } }
        } else {
            guard t.floatData.count == count else {
                throw DeFTError(source, "initializer '\(name)' holds \(t.floatData.count) floats for shape \(shape)")
            }
            values = t.floatData
        }
        let tensor = Tensor(shape: shape, values: values)
        try tensor.checkFinite(source, name)
        return tensor
    }

    /// The node called `name` (ONNX exporters name nodes after the module path, e.g. `/backbone/layernorm/Mul`).
    func node(_ name: String) throws -> Onnx_NodeProto {
        guard let n = nodes[name] else { throw DeFTError(source, "the graph has no node '\(name)'") }
        return n
    }

    /// The name of input `index` of node `name`.
    public func input(_ index: Int, of name: String) throws -> String {
        let n = try node(name)
        guard index < n.input.count else { throw DeFTError(source, "node '\(name)' has \(n.input.count) inputs, not \(index + 1)") }
        return n.input[index]
    }

    /// A string attribute of a node.
    func stringAttribute(_ attribute: String, of name: String) throws -> String? {
        try node(name).attribute.first { $0.name == attribute }.map { String(decoding: $0.s, as: UTF8.self) }
    }

    /// A float attribute of a node.
    func floatAttribute(_ attribute: String, of name: String) throws -> Float? {
        try node(name).attribute.first { $0.name == attribute }.map(\.f)
    }
}
