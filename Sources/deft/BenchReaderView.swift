import DeFT
import DeFTMedia
import DeFTTrain
import DeFTViz
import Foundation

/// The viewer's ratio step on a bundle whose head is a reader, as the accuracy bundles are: each frame
/// re-reads the kept tokens through the reader for the panel's answer. Measured on a synthetic bundle
/// of the DINOv2 task's shape (256 tokens of width 384, untrained DeFT and reader): the reader's cost
/// depends on the shapes, not on the weights.
enum ReaderViewBench {
    static func measure(repetitions: Int) throws -> Timing? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-bench-reader-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SplitMix64(seed: 1)
        let image = RGBImage(width: 224, height: 224, pixels: (0..<(224 * 224 * 3)).map { _ in UInt8(rng.next() % 256) })
        try Data(ImageDecoder.encodePNG(image)).write(to: URL(fileURLWithPath: dir + "/scene.png"))
        try Npy.write(Tensor(shape: [256, 384], values: (0..<(256 * 384)).map { _ in rng.nextFloat(in: -1...1) }), to: dir + "/tokens.npy")
        try DeFTModel(untrained: DeFTConfig(tokenDim: 384, semanticDim: 128), seed: 0).save(to: dir + "/weights.safetensors")
        try Reader(tokenDim: 384, gridHeight: 16, gridWidth: 16, classes: 10, seed: 0).save(to: dir + "/weights.reader.safetensors")
        var m = BundleManifest(modality: .image, media: "scene.png")
        m.features = "tokens.npy"; m.grid = GridSize(height: 16, width: 16); m.weights = "weights.safetensors"
        try m.write(folder: dir)
        var state = Viewer.firstFrameState(paths: [dir], names: ["reader"], settings: Viewer.Settings(), width: 120, height: 40,
                                           depth: .truecolor, unicode: true)
        guard state.scored?.answers != nil else { return nil }
        return Timing.scrub(&state, repetitions: max(repetitions, 20))
    }
}
