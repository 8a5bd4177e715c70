import DeFT

/// Gradients of a loss by parameter name (the state_dict names of `DeFTModel.forEachParameter`,
/// plus `classifier.*` for a task head). Missing names mean zero.
public struct Gradients: Sendable {
    public private(set) var values: [String: [Float]] = [:]

    public init() {}

    public subscript(name: String) -> [Float]? { values[name] }

    /// Adds `g` into the gradient of `name`.
    public mutating func add(_ name: String, _ g: [Float]) {
        if var v = values[name] {
            precondition(v.count == g.count, "gradient of \(name) changed size")
            for i in v.indices { v[i] += g[i] }
            values[name] = v
        } else {
            values[name] = g
        }
    }

    /// Both gradients of a linear layer under its state_dict prefix.
    public mutating func add(_ prefix: String, _ g: LinearGradient) {
        add(prefix + ".weight", g.weight.storage)
        add(prefix + ".bias", g.bias)
    }

    public mutating func merge(_ other: Gradients) {
        for (k, v) in other.values { add(k, v) }
    }
}

/// ∂L/∂W and ∂L/∂b of one `Linear`.
public struct LinearGradient: Sendable {
    public var weight: Matrix
    public var bias: [Float]
}
