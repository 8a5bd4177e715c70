import CTransformerKernels
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
            worst = max(worst, abs(Double(deft_exp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 5e-7)
        #expect(deft_exp(0) == 1)
        #expect(deft_exp(-1000) >= 0 && deft_exp(-1000) < 1e-37)
    }

    @Test func erfApproximationMatchesLibm() {
        var worst = 0.0
        var x: Float = -6
        while x < 6 {
            worst = max(worst, abs(Double(deft_erf(x)) - Foundation.erf(Double(x))))
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

    @Test func geluMatchesTheErfDefinitionOnEveryLaneAndTheTail() {
        // 1000 values: whole 16-lane blocks and a tail, through the CPU's widest clone.
        var m = Matrix(rows: 1, cols: 1000)
        for i in 0..<1000 { m.storage[i] = Float(i - 500) * 0.013 }
        let before = m.storage
        TransformerMath.gelu(&m)
        var worst = 0.0
        for (x, y) in zip(before, m.storage) {
            let exact = Double(x) * 0.5 * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            worst = max(worst, abs(Double(y) - exact))
        }
        #expect(worst < 2e-6)
    }

    @Test func softmaxRowsMatchDoublePrecisionOnLongRows() {
        // 37 columns in a leading dimension of 40: two 16-lane blocks, a tail, and padding left alone.
        var rng = SplitMix64(seed: 5)
        var v = (0..<(3 * 40)).map { _ in rng.nextFloat(in: -30...30) }
        let before = v
        v.withUnsafeMutableBufferPointer { TransformerMath.softmaxRows($0.baseAddress!, rows: 3, cols: 37, ld: 40) }
        for r in 0..<3 {
            let row = before[(r * 40)..<(r * 40 + 37)].map(Double.init)
            let top = row.max()!, total = row.reduce(0) { $0 + Foundation.exp($1 - top) }
            for j in 0..<37 { #expect(abs(Double(v[r * 40 + j]) - Foundation.exp(row[j] - top) / total) < 1e-6) }
            for j in 37..<40 { #expect(v[r * 40 + j] == before[r * 40 + j]) }
        }
    }

    @Test func attentionMatchesANaiveForwardPerSequenceAndHead() {
        // Sequences of unequal lengths (one empty) stacked without a mask; three heads of width 4.
        let lengths = [5, 33, 0, 17], heads = 3, hs = 4, d = heads * hs, rows = lengths.reduce(0, +)
        var rng = SplitMix64(seed: 9)
        let qkv = (0..<(rows * 3 * d)).map { _ in rng.nextFloat(in: -2...2) }
        var context = [Float](repeating: .nan, count: rows * d)
        TransformerMath.attention(qkv, lengths: lengths, heads: heads, headSize: hs, scale: 0.5, into: &context)
        var worst = 0.0, start = 0
        for n in lengths {
            for h in 0..<heads {
                for i in 0..<n {
                    func at(_ row: Int, _ part: Int, _ c: Int) -> Double { Double(qkv[(start + row) * 3 * d + part * d + h * hs + c]) }
                    let logits = (0..<n).map { j in 0.5 * (0..<hs).reduce(0.0) { $0 + at(i, 0, $1) * at(j, 1, $1) } }
                    let top = logits.max()!, w = logits.map { Foundation.exp($0 - top) }, total = w.reduce(0, +)
                    for c in 0..<hs {
                        let exact = (0..<n).reduce(0.0) { $0 + w[$1] / total * at($1, 2, c) }
                        worst = max(worst, abs(Double(context[(start + i) * d + h * hs + c]) - exact))
                    }
                }
            }
            start += n
        }
        #expect(worst < 1e-5)
    }
}
