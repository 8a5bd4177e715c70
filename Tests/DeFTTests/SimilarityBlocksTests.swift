import Testing
@testable import DeFT

/// The blocked kernel against brute force: every pair once, the full product's values, columns in order.
@Suite struct SimilarityBlocksTests {
    static func random(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.nextFloat(in: -1...1) })
    }

    static func dot(_ a: Matrix, _ i: Int, _ b: Matrix, _ j: Int) -> Float {
        var s: Float = 0
        for f in 0..<a.cols { s += a[i, f] * b[j, f] }
        return s
    }

    @Test(arguments: [(1, 4, 8), (2, 4, 8), (7, 4, 8), (13, 4, 8), (37, 5, 12), (40, 8, 16), (9, 256, 2048)])
    func symmetricVisitsEveryPairOnceWithTheFullProduct(n: Int, rowBlock: Int, chunk: Int) {
        let z = Self.random(n, 6, seed: UInt64(n))
        var seen = [Int](repeating: 0, count: n * n)
        var nextColumn = [Int](repeating: 0, count: n)
        var worst: Float = 0
        SimilarityBlocks.symmetric(z, alpha: 0.5, rowBlock: rowBlock, columnChunk: chunk) { block in
            for i in block.rows {
                // Each row's blocks arrive left to right and tile 0..<N.
                #expect(block.columns.lowerBound == nextColumn[i])
                nextColumn[i] = block.columns.upperBound
                for j in block.columns {
                    seen[i * n + j] += 1
                    worst = max(worst, abs(block[i, j] - 0.5 * Self.dot(z, i, z, j)))
                }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
        #expect(nextColumn.allSatisfy { $0 == n })
        #expect(worst < 1e-5)
    }

    @Test func symmetricGivesBothOrientationsTheSameValue() {
        let n = 23, z = Self.random(n, 5, seed: 3)
        var full = [Float](repeating: .nan, count: n * n)
        SimilarityBlocks.symmetric(z, rowBlock: 4, columnChunk: 8) { block in
            for i in block.rows { for j in block.columns { full[i * n + j] = block[i, j] } }
        }
        for i in 0..<n { for j in 0..<n { #expect(full[i * n + j] == full[j * n + i]) } }
    }

    @Test(arguments: [(1, 1), (2, 3), (11, 30), (30, 11)])
    func crossVisitsEveryPairOnce(m: Int, n: Int) {
        let a = Self.random(m, 4, seed: 1), b = Self.random(n, 4, seed: 2)
        var seen = [Int](repeating: 0, count: m * n)
        var worst: Float = 0
        SimilarityBlocks.cross(a, b, rowBlock: 4, columnChunk: 7) { block in
            for i in block.rows { for j in block.columns {
                seen[i * n + j] += 1
                worst = max(worst, abs(block[i, j] - Self.dot(a, i, b, j)))
            } }
        }
        #expect(seen.allSatisfy { $0 == 1 })
        #expect(worst < 1e-5)
    }

    @Test func noRowsNoBlocks() {
        var calls = 0
        SimilarityBlocks.symmetric(Matrix(rows: 0, cols: 3)) { _ in calls += 1 }
        SimilarityBlocks.cross(Matrix(rows: 0, cols: 3), Matrix(rows: 2, cols: 3)) { _ in calls += 1 }
        #expect(calls == 0)
    }

    /// The text neighbours through the kernel equal a brute-force N×N search (batch-mean similarity,
    /// self excluded, ties to the lower index), and so do the scores.
    @Test(arguments: [(1, 1), (2, 1), (3, 1), (6, 2), (300, 1), (301, 2), (600, 1)])
    func textNeighboursMatchBruteForce(n: Int, batch: Int) {
        let d = 8
        var z = Self.random(batch * n, d, seed: UInt64(7 + n))
        // Duplicate rows make exact ties in the similarities.
        if n > 10 { for f in 0..<d { z[5, f] = z[3, f]; z[9, f] = z[3, f] } }
        let zn = GroupScore.normalisedRows(z)
        var rng = SplitMix64(seed: 9)
        let saliency = (0..<(batch * n)).map { _ in rng.nextFloat(in: 0...1) }
        let t = GroupScore.text(zn: zn, saliency: saliency, batch: batch, tokens: n)
        let kk = min(5, n - 1)
        #expect(t.neighbours.count == n * kk)
        func cos(_ b: Int, _ i: Int, _ j: Int) -> Float { Self.dot(zn, b * n + i, zn, b * n + j) }
        for i in 0..<n {
            let mean = (0..<n).map { j in (0..<batch).reduce(Float(0)) { $0 + cos($1, i, j) } / Float(batch) }
            let want = (0..<n).filter { $0 != i }.sorted { mean[$0] != mean[$1] ? mean[$0] > mean[$1] : $0 < $1 }.prefix(kk)
            let got = Array(t.neighbours[(i * kk)..<((i + 1) * kk)])
            // Equal up to float rounding: any swap must be between (near-)equal similarities.
            for (g, w) in zip(got, want) where g != w { #expect(abs(mean[g] - mean[w]) < 1e-5, "row \(i): \(got) vs \(Array(want))") }
            for b in 0..<batch {
                let s = want.reduce(Float(0)) { $0 + cos(b, i, $1) * saliency[b * n + $1] } / Float(max(kk, 1))
                #expect(abs(t.scores[b * n + i] - (kk == 0 ? 0 : s)) < 1e-5)
            }
        }
        if n > 10 && batch == 1 {
            // Rows 3, 5 and 9 are equal: each one's first two neighbours are the other two, lower index first.
            #expect(Array(t.neighbours[(3 * kk)..<(3 * kk + 2)]) == [5, 9])
            #expect(Array(t.neighbours[(9 * kk)..<(9 * kk + 2)]) == [3, 5])
        }
    }
}
