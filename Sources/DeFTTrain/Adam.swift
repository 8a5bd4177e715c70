import DeFT
import Foundation

/// Adam (Kingma & Ba) over named parameter arrays, with bias correction. Its state is saved
/// beside the weights so `--resume` continues exactly where a run stopped.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    public private(set) var step = 0
    private var first: [String: [Float]] = [:]
    private var second: [String: [Float]] = [:]

    public init(learningRate: Float) { self.learningRate = learningRate }

    /// Counts one step; call once before the `update`s of that step.
    public mutating func beginStep() { step += 1 }

    /// Updates `values` (the parameter `name`) with its gradient, if it has one.
    public mutating func update(_ name: String, _ values: inout [Float], gradient g: [Float]?) {
        guard let g else { return }
        precondition(g.count == values.count, "gradient of \(name) has the wrong size")
        var m = first[name] ?? [Float](repeating: 0, count: g.count)
        var v = second[name] ?? [Float](repeating: 0, count: g.count)
        let c1 = 1 - pow(Double(beta1), Double(step)), c2 = 1 - pow(Double(beta2), Double(step))
        let lr = Float(Double(learningRate) * c2.squareRoot() / c1)
        for i in values.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            values[i] -= lr * m[i] / (v[i].squareRoot() + epsilon)
        }
        first[name] = m; second[name] = v
    }

    /// The moments as tensors (`adam.m.NAME`, `adam.v.NAME`) and the step count.
    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = [("adam.step", Tensor(shape: [1], values: [Float(step)]))]
        for name in first.keys.sorted() {
            out.append(("adam.m." + name, Tensor(shape: [first[name]!.count], values: first[name]!)))
            out.append(("adam.v." + name, Tensor(shape: [second[name]!.count], values: second[name]!)))
        }
        return out
    }

    public init(learningRate: Float, state file: SafetensorsFile) throws {
        self.learningRate = learningRate
        guard file.contains("adam.step") else { throw DeFTError(file.path, "no 'adam.step': not an optimiser state") }
        step = Int(try file.floats("adam.step").values.first ?? 0)
        for name in file.names where name.hasPrefix("adam.m.") {
            let key = String(name.dropFirst("adam.m.".count))
            first[key] = try file.floats(name).values
            guard file.contains("adam.v." + key) else { throw DeFTError(file.path, "'adam.v.\(key)' is missing") }
            second[key] = try file.floats("adam.v." + key).values
        }
    }
}
