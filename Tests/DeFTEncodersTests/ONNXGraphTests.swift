import DeFT
@testable import DeFTEncoders
import Foundation
import SwiftProtobuf
import Testing

@Suite struct ONNXGraphTests {
    /// A two-node graph with one raw-data initializer and one float_data initializer.
    static func model() throws -> Data {
        var raw = Onnx_TensorProto()
        raw.name = "onnx::MatMul_7"
        raw.dims = [2, 3]
        raw.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        raw.rawData = values.withUnsafeBytes { Data($0) }
        var listed = Onnx_TensorProto()
        listed.name = "backbone.bias"
        listed.dims = [3]
        listed.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        listed.floatData = [0.5, -1, 2]
        var matmul = Onnx_NodeProto()
        matmul.name = "/backbone/encoder/layer.0/mlp/fc1/MatMul"
        matmul.opType = "MatMul"
        matmul.input = ["x", "onnx::MatMul_7"]
        var resize = Onnx_NodeProto()
        resize.name = "/r"
        var mode = Onnx_AttributeProto()
        mode.name = "mode"
        mode.s = Data("cubic".utf8)
        resize.attribute = [mode]
        var graph = Onnx_GraphProto()
        graph.initializer = [raw, listed]
        graph.node = [matmul, resize]
        var model = Onnx_ModelProto()
        model.graph = graph
        return try model.serializedData()
    }

    @Test func readsInitializersAndNodeInputs() throws {
        let g = try ONNXGraph(data: try Self.model(), source: "m.onnx")
        #expect(g.initializerNames == ["backbone.bias", "onnx::MatMul_7"])
        let name = try g.input(1, of: "/backbone/encoder/layer.0/mlp/fc1/MatMul")
        #expect(try g.tensor(name) == Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        #expect(try g.tensor("backbone.bias") == Tensor(shape: [3], values: [0.5, -1, 2]))
        #expect(try g.stringAttribute("mode", of: "/r") == "cubic")
    }

    @Test func missingPiecesAndGarbageAreOneLineErrors() throws {
        let g = try ONNXGraph(data: try Self.model(), source: "m.onnx")
        #expect(throws: DeFTError("m.onnx", "the graph has no initializer 'nope'")) { try g.tensor("nope") }
        #expect(throws: DeFTError("m.onnx", "node '/r' has 0 inputs, not 1")) { try g.input(0, of: "/r") }
        #expect(throws: DeFTError.self) { try ONNXGraph(data: Data([0xFF, 0xFF, 0xFF, 0x0F]), source: "bad.onnx") }
    }
}
