/// Every learnable array of a model under its state_dict name, for optimisers and gradient
/// bookkeeping. The order is the state_dict's, so an optimiser's state lines up on resume.
extension DeFTModel {
    /// Calls `body` with each parameter's name and values, in place.
    public mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows {
        func lin(_ prefix: String, _ l: inout Linear) throws {
            try body(prefix + ".weight", &l.weight.storage)
            try body(prefix + ".bias", &l.bias)
        }
        try lin("sam.mlp.0", &sam1)
        try lin("sam.mlp.2", &sam2)
        try lin("scoring.mlp_score.0", &score1)
        try lin("scoring.mlp_score.2", &score2)
        try lin("scoring.mlp_score.4", &score3)
        try body("scoring.mixture_logits", &mixtureLogits)
        try lin("scoring.reconstruct_gate.0", &gate)
        if var r = rtd {
            try lin("rtd.encoder.0", &r.encoder1)
            try lin("rtd.encoder.2", &r.encoder2)
            try lin("rtd.decoder.0", &r.decoder1)
            try lin("rtd.decoder.2", &r.decoder2)
            rtd = r
        }
    }
}
