import DeFT
import Testing

@Suite struct LinearTests {
    let layer = Linear(weight: Matrix(rows: 3, cols: 2, storage: [1, 2, -1, 0, 0.5, 3]), bias: [0.25, -1, 2])
    let x = Matrix(rows: 2, cols: 2, storage: [1, -2, 3, 0.5])

    @Test func forwardIsXTimesWTransposedPlusBias() {
        // Row 0: (1·1 + 2·(−2), −1·1 + 0, 0.5·1 + 3·(−2)) + b.
        let expected: [Float] = [-2.75, -2, -3.5, 4.25, -4, 5]
        #expect(layer.forward(x).storage == expected)
    }

    @Test func accumulateAddsTheLayerOntoTheResidual() {
        let residual: [Float] = [10, 20, 30, 40, 50, 60]
        var y = Matrix(rows: 2, cols: 3, storage: residual)
        layer.accumulate(x, into: &y)
        let f = layer.forward(x).storage
        for i in 0..<6 { #expect(y.storage[i] == residual[i] + f[i]) }
    }

    @Test func scaledFoldsAnElementwiseScaleIntoTheLayer() {
        let gamma: [Float] = [2, -0.5, 0.125]
        let folded = layer.scaled(by: gamma).forward(x), plain = layer.forward(x)
        for r in 0..<2 {
            for c in 0..<3 { #expect(abs(folded[r, c] - gamma[c] * plain[r, c]) < 1e-6) }
        }
    }

    @Test func uninitialisedStorageIsWhatTheFillWrote() {
        let m = Matrix(rows: 2, cols: 3) { buffer in
            for i in 0..<buffer.count { buffer.initializeElement(at: i, to: Float(i)) }
        }
        #expect(m.storage == [0, 1, 2, 3, 4, 5] && m.rows == 2 && m.cols == 3)
    }
}
