import DeFT
import Foundation

/// The reader as one safetensors file: its learned arrays under `reader.*`, the fixed standardisation,
/// and the grid in the metadata.
extension Reader {
    public func save(to path: String) throws {
        var copy = self
        var tensors: [(name: String, tensor: Tensor)] = []
        let shapes: [String: [Int]] = [
            "reader.input.weight": [width, tokenDim], "reader.input.bias": [width], "reader.position": [tokens, width],
            "reader.queries": [queryCount, width], "reader.hidden.weight": [hidden.outputWidth, hidden.inputWidth],
            "reader.hidden.bias": [hidden.outputWidth], "reader.output.weight": [classes, hidden.outputWidth],
            "reader.output.bias": [classes],
        ]
        copy.forEachParameter { name, v in tensors.append((name, Tensor(shape: shapes[name]!, values: v))) }
        tensors.append(("reader.input_mean", Tensor(shape: [tokenDim], values: inputMean)))
        tensors.append(("reader.input_scale", Tensor(shape: [tokenDim], values: inputScale)))
        try SafetensorsFile.write(tensors, metadata: ["grid": "\(gridHeight)x\(gridWidth)", "written_by": "deft eval accuracy"],
                                  to: path)
    }

    public init(safetensors path: String) throws {
        let f = try SafetensorsFile.load(path: path)
        let grid = (f.metadata["grid"] ?? "").split(separator: "x").compactMap { Int($0) }
        guard grid.count == 2, grid[0] > 0, grid[1] > 0 else { throw DeFTError(path, "no reader grid (metadata 'grid' = HxW)") }
        func matrix(_ name: String) throws -> Matrix {
            let t = try f.floats(name)
            guard t.shape.count == 2 else { throw DeFTError(path, "'\(name)' has shape \(t.shape), expected 2-D") }
            return Matrix(rows: t.shape[0], cols: t.shape[1], storage: t.values)
        }
        func linear(_ prefix: String) throws -> Linear {
            let w = try matrix(prefix + ".weight"), b = try f.floats(prefix + ".bias")
            guard b.shape == [w.rows] else { throw DeFTError(path, "'\(prefix).bias' has shape \(b.shape), expected [\(w.rows)]") }
            return Linear(weight: w, bias: b.values)
        }
        let input = try linear("reader.input"), hidden = try linear("reader.hidden"), output = try linear("reader.output")
        let position = try matrix("reader.position"), queries = try matrix("reader.queries")
        let mean = try f.floats("reader.input_mean").values, scale = try f.floats("reader.input_scale").values
        let h = input.outputWidth
        guard position.rows == grid[0] * grid[1], position.cols == h, queries.cols == h, hidden.inputWidth == queries.rows * h,
              output.inputWidth == hidden.outputWidth, mean.count == input.inputWidth, scale.count == input.inputWidth else {
            throw DeFTError(path, "the reader's shapes do not fit together (width \(h), grid \(grid[0])×\(grid[1]))")
        }
        self.init(tokenDim: input.inputWidth, gridHeight: grid[0], gridWidth: grid[1], classes: output.outputWidth,
                  width: h, queries: queries.rows, hiddenWidth: hidden.outputWidth, inputMean: mean, inputScale: scale, seed: 0)
        self.input = input; self.position = position; self.queries = queries; self.hidden = hidden; self.output = output
    }
}
