import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

/// `deft eval accuracy --task fashion-mnist… --bundle DIR`: the run as a viewer bundle of its first
/// evaluated images. One bundle folder whose manifest lists the images as items (`deft view DIR` steps
/// through them), so the weights, the reader and the curve are stored once:
///
///     DIR/deft.json                    items: images/NN.png + tokens/NN.npy + label; classes; curve
///     DIR/images/NN.png                the scene the encoder saw
///     DIR/tokens/NN.npy                its tokens, float16 [N, d], bit-exact from the token cache
///     DIR/weights.safetensors          DeFT trained at the run's ratio nearest 48.2 %
///     DIR/weights.reader.safetensors   the frozen reader: the viewer's head (feedback target, gate logits, answers)
///     DIR/accuracy.json                the run's report (`--json`), the precomputed curve `g` draws
struct AccuracyBundle {
    static let images = 50

    let folder: String

    /// Checked before the run, so a bad folder does not cost a whole experiment: a new or empty
    /// folder, or an earlier bundle (rewritten).
    init(folder: String) throws {
        self.folder = folder
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw DeFTError("--bundle", "\(folder) is a file; give a folder") }
        let inside = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard inside.isEmpty || inside.contains(BundleManifest.fileName) else {
            throw DeFTError("--bundle", "\(folder) is neither empty nor a bundle; give a new folder")
        }
    }

    /// Writes the bundle: the first `images` inputs of `tokens`, whose scenes are `scenes.scene(first + i)`.
    func write(title: String, scenes: FashionScenes, first: Int, tokens: TokenStore, grid: GridSize, reader: Reader,
               models: [(ratio: Double, model: DeFTModel)], report: ReaderExperiment.Report) throws {
        guard let chosen = models.min(by: { abs($0.ratio - DeFTConfig.paperRatio) < abs($1.ratio - DeFTConfig.paperRatio) }) else {
            throw DeFTError("--bundle", "the run trained no DeFT model to put in the bundle")
        }
        let fm = FileManager.default
        for sub in ["images", "tokens"] {
            let path = (folder as NSString).appendingPathComponent(sub)
            if fm.fileExists(atPath: path) { try? fm.removeItem(atPath: path) }   // an earlier bundle's items
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw DeFTError("--bundle", "cannot create \(path): \(error.localizedDescription)")
            }
        }
        let count = min(Self.images, tokens.count), per = tokens.tokens * tokens.width
        var items: [BundleManifest.Item] = []
        for i in 0..<count {
            let scene = scenes.scene(first + i)
            guard scene.label == tokens.labels[i] else {
                throw DeFTError("--bundle", "scene \(first + i) is a \(scene.label), its cached tokens say \(tokens.labels[i]); delete the token cache")
            }
            let name = String(format: "%02d", i)
            let image = "images/\(name).png", features = "tokens/\(name).npy"
            try write(Data(ImageDecoder.encodePNG(scene.image)), image)
            try Npy.write(halves: Array(tokens.halves[(i * per)..<((i + 1) * per)]), shape: [tokens.tokens, tokens.width],
                          to: path(features))
            items.append(BundleManifest.Item(media: image, features: features, label: scene.label))
        }
        try chosen.model.save(to: path("weights.safetensors"),
                              metadata: ["format": "pt", "written_by": "deft eval accuracy --bundle", "ratio": "\(chosen.ratio)"])
        try reader.save(to: path("weights.reader.safetensors"))
        try write(ReportJSON.encode(report, source: path("accuracy.json")) + Data("\n".utf8), "accuracy.json")
        var m = BundleManifest(modality: .image, media: items[0].media)
        m.title = title
        m.grid = grid
        m.weights = "weights.safetensors"
        m.classes = FashionMNIST.classNames
        m.curve = "accuracy.json"
        m.items = items
        try m.write(folder: folder)
    }

    func path(_ relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }

    func write(_ data: Data, _ relative: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path(relative)), options: .atomic) } catch {
            throw DeFTError(path(relative), "cannot write: \(error.localizedDescription)")
        }
    }
}
