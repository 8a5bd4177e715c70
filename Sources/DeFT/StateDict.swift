/// DeFT weights ⇄ the reference's `state_dict()` keys (DeFT.md §6).
extension DeFTModel {
    /// Loads weights saved by PyTorch (`safetensors.torch.save_file(module.state_dict(), path)`) or
    /// by `deft train`. d, d′ and the bottleneck come from the tensors; `alphaVar` and the ratio
    /// keep the defaults (callers override them from a config or the command line).
    public init(safetensors path: String) throws {
        let file = try SafetensorsFile.load(path: path)
        try self.init(stateDict: file)
    }

    public init(stateDict file: SafetensorsFile) throws {
        let path = file.path
        func tensor(_ key: String) throws -> Tensor {
            guard file.contains(key) else { throw DeFTError(path, "missing tensor '\(key)'") }
            return try file.floats(key)
        }
        func linear(_ prefix: String, inputs: Int?, outputs: Int?) throws -> Linear {
            let w = try tensor(prefix + ".weight"), b = try tensor(prefix + ".bias")
            guard w.shape.count == 2 else { throw DeFTError(path, "'\(prefix).weight' has shape \(w.shape), expected 2 dimensions") }
            let want = [outputs ?? w.shape[0], inputs ?? w.shape[1]]
            guard w.shape == want else { throw DeFTError(path, "'\(prefix).weight' has shape \(w.shape), expected \(want)") }
            guard b.shape == [w.shape[0]] else { throw DeFTError(path, "'\(prefix).bias' has shape \(b.shape), expected [\(w.shape[0])]") }
            return Linear(weight: Matrix(rows: w.shape[0], cols: w.shape[1], storage: w.values), bias: b.values)
        }
        let sam1 = try linear("sam.mlp.0", inputs: nil, outputs: nil)
        let d = sam1.inputWidth, s = sam1.outputWidth
        let sam2 = try linear("sam.mlp.2", inputs: s, outputs: s)
        let score1 = try linear("scoring.mlp_score.0", inputs: s, outputs: s)
        let score2 = try linear("scoring.mlp_score.2", inputs: s, outputs: s)
        let score3 = try linear("scoring.mlp_score.4", inputs: s, outputs: 1)
        let theta = try tensor("scoring.mixture_logits")
        guard theta.shape == [3] else { throw DeFTError(path, "'scoring.mixture_logits' has shape \(theta.shape), expected [3]") }

        var rtd: RTDWeights? = nil
        var bottleneckRatio = 4
        if file.contains("rtd.encoder.0.weight") {
            let e1 = try linear("rtd.encoder.0", inputs: d, outputs: nil)
            let b = e1.outputWidth
            // The reference sizes the bottleneck as d // r (integer division), so d need not divide.
            guard b > 0, b <= d, d / (d / b) == b else {
                throw DeFTError(path, "'rtd.encoder.0.weight' maps \(d) to \(b): not d // r for a whole r")
            }
            bottleneckRatio = d / b
            rtd = RTDWeights(encoder1: e1,
                             encoder2: try linear("rtd.encoder.2", inputs: b, outputs: b),
                             decoder1: try linear("rtd.decoder.0", inputs: b, outputs: b),
                             decoder2: try linear("rtd.decoder.2", inputs: b, outputs: d))
        }
        // DeFT.md §5.2: the RTD's own gate is only usable when its width is d′+2 (d = d′).
        let gate: Linear
        if file.contains("rtd.reconstruct_gate.0.weight"),
           try tensor("rtd.reconstruct_gate.0.weight").shape == [1, s + 2] {
            gate = try linear("rtd.reconstruct_gate.0", inputs: s + 2, outputs: 1)
        } else {
            gate = try linear("scoring.reconstruct_gate.0", inputs: s + 2, outputs: 1)
        }
        let config = DeFTConfig(tokenDim: d, semanticDim: s, enableRTD: rtd != nil, bottleneckRatio: bottleneckRatio)
        self.init(config: config, origin: .trained(path: path), sam1: sam1, sam2: sam2, score1: score1,
                  score2: score2, score3: score3, mixtureLogits: theta.values, gate: gate, rtd: rtd)
    }

    /// The reference's `state_dict()`: every key PyTorch's `load_state_dict(strict=True)` expects.
    /// The RTD's own gate (width d+2 in the reference) is written with the usable gate when
    /// d = d′, and otherwise as the reference would initialise it: zeros of width d+2.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        func lin(_ prefix: String, _ l: Linear) -> [(name: String, tensor: Tensor)] {
            [(prefix + ".weight", Tensor(shape: [l.outputWidth, l.inputWidth], values: l.weight.storage)),
             (prefix + ".bias", Tensor(shape: [l.outputWidth], values: l.bias))]
        }
        var out = lin("sam.mlp.0", sam1) + lin("sam.mlp.2", sam2)
            + lin("scoring.mlp_score.0", score1) + lin("scoring.mlp_score.2", score2) + lin("scoring.mlp_score.4", score3)
            + [("scoring.mixture_logits", Tensor(shape: [3], values: mixtureLogits))]
            + lin("scoring.reconstruct_gate.0", gate)
        if let rtd {
            out += lin("rtd.encoder.0", rtd.encoder1) + lin("rtd.encoder.2", rtd.encoder2)
                + lin("rtd.decoder.0", rtd.decoder1) + lin("rtd.decoder.2", rtd.decoder2)
            let d = config.tokenDim
            let rtdGate = d == config.semanticDim
                ? gate
                : Linear(weight: Matrix(rows: 1, cols: d + 2), bias: [0])
            out += lin("rtd.reconstruct_gate.0", rtdGate)
        }
        return out
    }

    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafetensorsFile.write(stateDict(), metadata: metadata, to: path)
    }
}
