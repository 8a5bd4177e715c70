import DeFT
import DeFTEncoders
import Foundation
import Testing

@Suite struct TransformerMathTests {
    @Test func fastExpIsWithinAFewUlpOfLibm() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(TransformerMath.exp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 5e-7)
        #expect(TransformerMath.exp(0) == 1)
        #expect(TransformerMath.exp(-1000) >= 0 && TransformerMath.exp(-1000) < 1e-37)
    }

    @Test func erfApproximationMatchesLibm() {
        var worst = 0.0
        var x: Float = -6
        while x < 6 {
            worst = max(worst, abs(Double(TransformerMath.erf(x)) - Foundation.erf(Double(x))))
            x += 0.001
        }
        #expect(worst < 1e-6)
    }

    @Test func layerNormGivesZeroMeanUnitVarianceBeforeTheAffine() {
        let x = Matrix(rows: 2, cols: 4, storage: [1, 2, 3, 4, -3, 0, 0, 7])
        let y = TransformerMath.layerNorm(x, weight: [1, 1, 1, 1], bias: [0, 0, 0, 0], eps: 0)
        for r in 0..<2 {
            let row = y.row(r)
            #expect(abs(row.reduce(0, +)) < 1e-5)
            #expect(abs(row.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-5)
        }
        let shifted = TransformerMath.layerNorm(x, weight: [2, 2, 2, 2], bias: [1, 1, 1, 1], eps: 0)
        for i in 0..<8 { #expect(abs(shifted.storage[i] - (2 * y.storage[i] + 1)) < 1e-5) }
    }

    @Test func softmaxRowsSumToOneAndKeepOrder() {
        var v: [Float] = [0, 1, 2, 900, 901, 899]
        v.withUnsafeMutableBufferPointer { TransformerMath.softmaxRows($0.baseAddress!, rows: 2, cols: 3, ld: 3) }
        #expect(abs(v[0...2].reduce(0, +) - 1) < 1e-6 && abs(v[3...5].reduce(0, +) - 1) < 1e-6)
        #expect(v[0] < v[1] && v[1] < v[2] && v[5] < v[3] && v[3] < v[4])
        #expect(abs(v[2] - Float(Foundation.exp(2.0) / (1 + Foundation.exp(1.0) + Foundation.exp(2.0)))) < 1e-6)
    }
}
