import DeFT
@testable import DeFTEncoders
import Testing

@Suite struct CubicInterpolationTests {
    /// Both round and clip to 8 bits after each pass; Pillow's weights are fixed-point, so allow one level.
    @Test(arguments: [("down", 14, 14), ("up", 50, 30)])
    func imageResamplingMatchesPillowBicubic(_ key: String, _ width: Int, _ height: Int) throws {
        let f = try Fixture.load("pillow-bicubic.safetensors")
        let src = try f.bytes("src"), expected = try f.bytes(key)
        #expect(src.shape == [23, 37, 3] && expected.shape == [height, width, 3])
        let out = CubicInterpolation.resize(src.values.map(Float.init), height: 23, width: 37, channels: 3,
                                            rowTaps: CubicInterpolation.pillowBicubicTaps(from: 23, to: height),
                                            columnTaps: CubicInterpolation.pillowBicubicTaps(from: 37, to: width),
                                            eightBit: true)
        let diffs = zip(out, expected.values).map { abs($0 - Float($1)) }
        #expect(diffs.max()! <= 1)
        #expect(Float(diffs.reduce(0, +)) / Float(diffs.count) < 0.02)
    }

    @Test func onnxCubicAtTheSameSizeIsTheIdentity() {
        for taps in CubicInterpolation.onnxCubicTaps(from: 5, to: 5).enumerated() {
            let w = zip(taps.element.indices, taps.element.weights).filter { $0.1 != 0 }
            #expect(w.count == 1 && w[0].0 == taps.offset && w[0].1 == 1)
        }
    }

    @Test func onnxCubicClampsAtTheBorderAndPreservesConstants() {
        let taps = CubicInterpolation.onnxCubicTaps(from: 37, to: 24)
        #expect(taps[0].indices.min()! == 0 && taps[23].indices.max()! == 36)
        for t in taps { #expect(abs(t.weights.reduce(0, +) - 1) < 1e-6) }
        // A constant grid stays constant; a linear ramp along x stays linear inside.
        let grid = [Float](repeating: 3, count: 37 * 37 * 2)
        let out = CubicInterpolation.resize(grid, height: 37, width: 37, channels: 2, rowTaps: taps, columnTaps: taps)
        #expect(out.count == 24 * 24 * 2 && out.allSatisfy { abs($0 - 3) < 1e-5 })
    }
}
