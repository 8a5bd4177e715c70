import DeFT
import Foundation

/// Trains the reader on every token (mask 1), with Adam on seeded mini-batches, then it is frozen:
/// the stand-in for a language model that was never trained on pruned inputs.
public enum ReaderTraining {
    public struct Options: Sendable, Equatable, Codable {
        public var steps = 1500
        public var batchSize = 32
        public var learningRate: Float = 2e-3
        public var seed: UInt64 = 0
        public init() {}
    }

    /// `batchOf(indices)`: the tokens of those inputs stacked (B·N × d). Returns the trained reader and
    /// the mean loss of the last tenth of the steps.
    public static func train(_ start: Reader, count: Int, labels: [Int], options: Options,
                             batchOf: ([Int]) -> Matrix, progress: ((Int) -> Void)? = nil) -> (reader: Reader, loss: Double) {
        var reader = start, adam = Adam(learningRate: options.learningRate)
        var tail: [Double] = []
        for t in 1...max(options.steps, 1) {
            let idx = sample(count: count, batch: min(options.batchSize, count), seed: options.seed, step: t)
            let x = batchOf(idx)
            let b = idx.count
            let r = reader.evaluate(z: Matrix(rows: 0, cols: 0), tokens: x, mask: [Float](repeating: 1, count: x.rows),
                                    batch: b, labels: idx.map { labels[$0] })
            // A cosine decay to a tenth: the last steps settle instead of hopping between minibatches.
            var opt = adam
            opt.learningRate = options.learningRate * Float(0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * Double(t) / Double(options.steps))))
            opt.beginStep()
            reader.forEachParameter { name, v in opt.update(name, &v, gradient: r.parameters[name]) }
            adam = opt
            if t > options.steps * 9 / 10 { tail.append(r.loss) }
            progress?(t)
        }
        return (reader, tail.reduce(0, +) / Double(max(tail.count, 1)))
    }

    /// A seeded draw of `batch` distinct indices, a function of the seed and the step alone.
    static func sample(count: Int, batch: Int, seed: UInt64, step: Int) -> [Int] {
        var rng = SplitMix64(seed: seed &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        var idx = Array(0..<count)
        for i in 0..<batch { idx.swapAt(i, i + Int(rng.next() % UInt64(count - i))) }
        return Array(idx.prefix(batch))
    }
}
