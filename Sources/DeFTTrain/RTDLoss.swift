import DeFT

/// The recoverable token dictionary's own objective: `‖x − dec(enc(x))‖² / (rows·d)`, so the
/// codes kept for pruned tokens decode back to them.
public enum RTDLoss {
    /// The loss, its gradients, and the reconstruction x̂ itself (the gate's training reads it: no second pass).
    public static func evaluate(_ rtd: RTDWeights, tokens x: Matrix) -> (loss: Double, gradients: Gradients, reconstruction: Matrix) {
        let h1 = rtd.encoder1.forward(x, relu: true)
        let code = rtd.encoder2.forward(h1)
        let h2 = rtd.decoder1.forward(code, relu: true)
        let xhat = rtd.decoder2.forward(h2)
        let count = Float(x.rows * x.cols)
        var loss = 0.0
        var dOut = Matrix(rows: x.rows, cols: x.cols)
        for i in x.storage.indices {
            let r = xhat.storage[i] - x.storage[i]
            loss += Double(r * r)
            dOut.storage[i] = 2 * r / count
        }
        let g4 = rtd.decoder2.backward(input: h2, gradOutput: dOut)
        var d3 = g4.input!; d3.maskReLU(activations: h2)
        let g3 = rtd.decoder1.backward(input: code, gradOutput: d3)
        let g2 = rtd.encoder2.backward(input: h1, gradOutput: g3.input!)
        var d1 = g2.input!; d1.maskReLU(activations: h1)
        let g1 = rtd.encoder1.backward(input: x, gradOutput: d1, needInput: false)
        var grads = Gradients()
        grads.add("rtd.encoder.0", g1.gradient)
        grads.add("rtd.encoder.2", g2.gradient)
        grads.add("rtd.decoder.0", g3.gradient)
        grads.add("rtd.decoder.2", g4.gradient)
        return (loss / Double(count), grads, xhat)
    }
}
