import DeFT

/// The two Fashion-MNIST tasks of the accuracy experiment as pure, seeded image generators: the same
/// (split, index, parameters) give the same image on every machine. The parameters and seed below were
/// fixed before any DeFT number existed on these tasks, and are not to be tuned on DeFT's results.
public struct FashionScenes: Sendable {
    public enum Task: String, Sendable, CaseIterable, Codable {
        /// The item fills the 224×224 image: evidence in every token.
        case whole = "fashion-mnist"
        /// The item at about a quarter of the side, anywhere on a cluttered, faded canvas: evidence in
        /// about 1/16 of the tokens — a detail in a large image.
        case small = "fashion-mnist-small"
    }

    public struct Parameters: Sendable, Equatable, Codable {
        /// The canvas side (the encoder's input, 16×16 patches of 14 pixels).
        public var side = 224
        /// The small task's item side before jitter: a quarter of the canvas.
        public var itemSide = 56
        /// The item side varies uniformly by ± this share.
        public var scaleJitter = 0.25
        /// Other items of the same split in the faded background collage, their side range and the
        /// share of their contrast kept (so the item, at full contrast, is the brightest thing).
        public var backgroundItems = 14
        public var backgroundSides = 40...96
        public var backgroundContrast = 0.3
        /// The canvas's base grey, under the collage.
        public var backgroundLevel = 24
        public var seed: UInt64 = 15_2026
        public init() {}
    }

    /// Where the item is on the canvas (pixels).
    public struct Placement: Sendable, Equatable {
        public let x: Int, y: Int, side: Int
    }

    public let task: Task
    public let parameters: Parameters
    /// The split's 28×28 items (Fashion-MNIST's own train or test file) the scenes are made from.
    public let items: LabelledDigits
    /// Which split the items are (mixed into the seed, so train and test scenes differ).
    public let splitTag: UInt64

    public init(task: Task, items: LabelledDigits, splitTag: UInt64, parameters: Parameters = .init()) {
        self.task = task; self.items = items; self.splitTag = splitTag; self.parameters = parameters
    }

    /// The scene of item `index`: the image, where the item sits, and its label.
    public func scene(_ index: Int) -> (image: RGBImage, placement: Placement, label: Int) {
        let p = parameters, side = p.side
        let item = items.images[index]
        guard task == .small else {
            return (Resample.resizedImage(item, width: side, height: side), Placement(x: 0, y: 0, side: side), items.labels[index])
        }
        var rng = SplitMix64(seed: p.seed ^ (splitTag &* 0xA24B_AED4_963E_E407) ^ (UInt64(index) &* 0x9FB2_1C65_1E98_DF25))
        var canvas = [Float](repeating: Float(p.backgroundLevel), count: side * side)
        func paste(_ image: RGBImage, x: Int, y: Int, size: Int, contrast: Float, base: Float) {
            let scaled = Resample.resize(image, width: size, height: size)
            for yy in 0..<size where y + yy >= 0 && y + yy < side {
                for xx in 0..<size where x + xx >= 0 && x + xx < side {
                    let v = base + contrast * scaled[(yy * size + xx) * 3]
                    let o = (y + yy) * side + x + xx
                    canvas[o] = max(canvas[o], v)
                }
            }
        }
        // The collage: other items of the split, faded, anywhere (partly off the canvas too).
        let others = items.images.count
        for _ in 0..<p.backgroundItems where others > 1 {
            var j = Int(rng.next() % UInt64(others))
            if j == index { j = (j + 1) % others }
            let s = p.backgroundSides.lowerBound + Int(rng.next() % UInt64(p.backgroundSides.count))
            let x = Int(rng.next() % UInt64(side + s)) - s / 2, y = Int(rng.next() % UInt64(side + s)) - s / 2
            paste(items.images[j], x: x, y: y, size: s, contrast: Float(p.backgroundContrast), base: 0)
        }
        let jitter = Double(rng.nextFloat(in: -1...1)) * p.scaleJitter
        let s = max(8, Int((Double(p.itemSide) * (1 + jitter)).rounded()))
        let x = Int(rng.next() % UInt64(side - s + 1)), y = Int(rng.next() % UInt64(side - s + 1))
        paste(item, x: x, y: y, size: s, contrast: 1, base: 0)
        let pixels = canvas.flatMap { v -> [UInt8] in let b = UInt8(max(0, min(255, v.rounded()))); return [b, b, b] }
        return (RGBImage(width: side, height: side, pixels: pixels), Placement(x: x, y: y, side: s), items.labels[index])
    }
}

/// Which images of Fashion-MNIST each stage sees: training and validation both from the training
/// file (validation after training, never overlapping), test from the test file. Every choice of the
/// protocol is made on validation; the test split is read once, for the reported numbers.
public struct TaskSplits: Sendable, Equatable, Codable {
    public let train: Range<Int>
    public let validation: Range<Int>
    public let test: Range<Int>

    /// `train` and `test` images from the front of their splits; validation is a fifth of `train` (at
    /// least one) from the end of the training split, so a larger run reuses a smaller one's cached
    /// training and test shards.
    public init(train: Int, test: Int, trainSplitSize: Int = 60_000) {
        self.train = 0..<train
        validation = (trainSplitSize - max(1, train / 5))..<trainSplitSize
        self.test = 0..<test
    }
}
