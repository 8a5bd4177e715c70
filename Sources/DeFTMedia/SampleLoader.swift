import DeFT
import DeFTEncoders
import Foundation

/// How to turn media into tokens when the input does not say.
public struct LoadOptions: Sendable {
    /// Patch grid (per frame for video). Default: the long side gets 24 patches.
    public var grid: GridSize?
    /// Frames to take from a video, evenly spaced. Default 8.
    public var frames: Int?
    /// Token features from a model (`PATH[:KEY]`) instead of an encoder.
    public var features: String?
    /// The encoder for media without features (the library's default is the weight-free one; the
    /// command line's is the real encoder of each modality).
    public var encoder = EncoderChoice.builtin
    /// Hears how far a long load is (frames decoded, frames encoded, text windows encoded), for a progress bar.
    public var progress: (@Sendable (LoadProgress) -> Void)?

    public init(grid: GridSize? = nil, frames: Int? = nil, features: String? = nil, encoder: EncoderChoice = .builtin,
                progress: (@Sendable (LoadProgress) -> Void)? = nil) {
        self.grid = grid; self.frames = frames; self.features = features; self.encoder = encoder; self.progress = progress
    }

    /// `progress` as the (done, total) counter of one stage.
    func reporting(_ stage: String, unit: String) -> ((Int, Int) -> Void)? {
        progress.map { hear in { hear(LoadProgress(stage: stage, unit: unit, done: $0, total: $1)) } }
    }
}

/// One step of a long load: `done` of `total` `unit`s in `stage` ("decoding", "frame", 12, 64).
public struct LoadProgress: Sendable, Equatable {
    public let stage: String, unit: String
    public let done: Int, total: Int
    public init(stage: String, unit: String, done: Int, total: Int) {
        self.stage = stage; self.unit = unit; self.done = done; self.total = total
    }
}

/// Opens anything deft can show: an image file, a folder of frames, a video file, a UTF-8 text file,
/// or a bundle folder with a `deft.json`.
public enum SampleLoader {
    public static func load(_ path: String, options: LoadOptions = .init()) throws -> LoadedSample {
        // Zero or fewer frames used to mean "all of them" silently.
        if let f = options.frames, f < 1 { throw DeFTError("--frames", "must be at least 1, got \(f)") }
        var isDir: ObjCBool = false
        if !BundlePath.entryExists(path), let (folder, item) = BundleItems.parse(path) {
            return try loadBundle(folder, options: options, item: item)
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw DeFTError(path, "no such file or folder") }
        let name = ((path as NSString).standardizingPath as NSString).lastPathComponent
        if isDir.boolValue {
            // lstat, not fileExists: a dangling or looping deft.json is still a bundle (and an error), not frames.
            if BundlePath.entryExists((path as NSString).appendingPathComponent(BundleManifest.fileName)) {
                return try loadBundle(path, options: options)
            }
            if LabelledDigits.isFolder(path) { return try digit(path, options: options) }
            let frames = try VideoFrames.loadFolder(path, count: options.frames ?? 8, progress: options.reporting("decoding", unit: "frame"))
            return try video(name: name, frames: frames, source: path, options: options)
        }
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "png", "jpg", "jpeg", "ppm", "pgm":
            return try image(name: name, image: ImageDecoder.load(path: path), source: path, options: options)
        case "txt", "md", "text":
            let text = try TextTokenizer.loadText(path: path)
            return try self.text(name: name, document: TextTokenizer.tokenize(text), source: path, options: options)
        case _ where VideoFrames.videoExtensions.contains(ext):
            let frames = try VideoFrames.loadFile(path, count: options.frames ?? 8, progress: options.reporting("decoding", unit: "frame"))
            return try video(name: name, frames: frames, source: path, options: options)
        case "npy", "safetensors":
            throw DeFTError(path, "a bare array has nothing to draw; use 'deft score --tokens', or pair it with its media via --features or a bundle")
        case "":
            throw DeFTError(path, "has no file extension, so deft cannot tell what it holds (it opens .png .jpg .ppm .pgm images, video files, .txt/.md text, frame folders and bundle folders)")
        default:
            throw DeFTError(path, "unknown input type '.\(ext)' (images, frame folders, video files, .txt or a bundle folder)")
        }
    }

    /// A text that did not come from a file (typed in the viewer): cleaned like any text, then encoded.
    public static func typed(_ text: String, name: String, options: LoadOptions) throws -> LoadedSample {
        let clean = text.terminalSafeText
        return try self.text(name: name.terminalSafe, document: TextTokenizer.tokenize(clean), source: "the typed text", options: options)
    }

    /// `item`: which of a bundle's items (nil: the first, when it has items).
    static func loadBundle(_ folder: String, options: LoadOptions, item: Int? = nil) throws -> LoadedSample {
        var m = try BundleManifest.load(folder: folder)
        let manifestPath = (folder as NSString).appendingPathComponent(BundleManifest.fileName)
        let title = m.title ?? ((folder as NSString).standardizingPath as NSString).lastPathComponent
        if let items = m.items {
            let i = item ?? 0
            guard items.indices.contains(i) else {
                throw DeFTError("\(folder):\(i)", "the bundle has \(items.count) items (0…\(items.count - 1)); there is no item \(i)")
            }
            m.media = items[i].media
            m.features = items[i].features ?? m.features
            m.label = items[i].label ?? m.label
        } else if let item {
            throw DeFTError("\(folder):\(item)", "the bundle has no items (its manifest lists no 'items')")
        }
        func resolve(_ p: String) throws -> String {
            let ref = ArrayReference(p)
            let full = try BundlePath.resolve(ref.path, folder: folder, manifest: manifestPath)
            return ref.key.map { "\(full):\($0)" } ?? full
        }
        var opts = options
        if opts.grid == nil { opts.grid = m.grid }
        if opts.frames == nil { opts.frames = m.frames }
        // Without features, the bundle's weights expect the encoder it was made with, unless the user names one.
        if opts.encoder.name == nil { opts.encoder.name = m.encoder ?? .builtin }
        if opts.features == nil, let f = m.features { opts.features = try resolve(f) }
        let media = try resolve(m.media)
        let name = title
        var sample: LoadedSample
        switch m.modality {
        case .image:
            sample = try image(name: name, image: ImageDecoder.load(path: media), source: media, options: opts)
        case .video:
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: media, isDirectory: &isDir)
            let decoding = opts.reporting("decoding", unit: "frame")
            let frames = isDir.boolValue ? try VideoFrames.loadFolder(media, count: opts.frames ?? 8, progress: decoding)
                                         : try VideoFrames.loadFile(media, count: opts.frames ?? 8, progress: decoding)
            sample = try video(name: name, frames: frames, source: media, options: opts)
        case .text:
            let text = try TextTokenizer.loadText(path: media)
            let doc = try m.tokens.map { try TextTokenizer.loadTokenList(path: resolve($0), text: text) } ?? TextTokenizer.tokenize(text)
            sample = try self.text(name: name, document: doc, source: media, options: opts)
        }
        // Tokens DINOv2 computed from a padded or cropped square are drawn over that square, as when it
        // encodes on load.
        if m.features != nil, m.encoder == .dinov2S14, let fit = try? ImagePreprocessing(fit: m.fit ?? .pad) {
            let notes = sample.notes
            switch sample.media {
            case .image(let i)?: sample = LoadedSample(name: sample.name, media: .image(i.framed(fit)), tokenSet: sample.tokenSet)
            case .video(let f)?: sample = LoadedSample(name: sample.name, media: .video(f.map { $0.framed(fit) }), tokenSet: sample.tokenSet)
            default: break
            }
            sample.notes = notes
        }
        let n = sample.tokenSet.layout.count
        if let w = m.weights {
            let weights = try resolve(w)
            // The classifier head and the training record are read from beside the weights, named after
            // them (NAME.head.safetensors, NAME.train.json): those must stay inside the folder too.
            let dir = (weights as NSString).deletingLastPathComponent
            let base = ((weights as NSString).lastPathComponent as NSString).deletingPathExtension + "."
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(base) {
                _ = try BundlePath.inside((dir as NSString).appendingPathComponent(name), folder: folder, manifest: manifestPath, what: "'\(name)'")
            }
            sample.weightsPath = weights
        }
        if let l = m.logits { sample.logits = try ArrayReference(resolve(l)).loadRows(batch: 1, tokens: n, width: nil, what: "the logits") }
        if let g = m.gradient { sample.gradient = try ArrayReference(resolve(g)).loadRows(batch: 1, tokens: n, width: nil, what: "the gradient") }
        sample.label = m.label
        sample.classNames = m.classes
        if let c = m.curve { sample.curvePath = try resolve(c) }
        return sample
    }

    /// A labelled-digits folder shows its first held-out digit with the folder's trained weights (and,
    /// beside them, the classifier head whose per-token logits drive the reconstruction gate).
    static func digit(_ folder: String, options: LoadOptions) throws -> LoadedSample {
        let digits = try LabelledDigits.load(folder: folder)
        guard let index = digits.split().test.first ?? digits.images.indices.first else { throw DeFTError(folder, "holds no digits") }
        var opts = options
        if opts.grid == nil { opts.grid = LabelledDigits.grid }
        // The digits' weights were trained on the built-in patch features of this 7×7 grid.
        if opts.encoder.name == nil { opts.encoder.name = .builtin }
        var sample = try image(name: "Digit #\(index + 1) of \(digits.images.count) (held out, a \(digits.labels[index]))",
                               image: digits.images[index], source: folder, options: opts)
        let weights = (folder as NSString).appendingPathComponent("weights.safetensors")
        if FileManager.default.fileExists(atPath: weights) { sample.weightsPath = weights }
        return sample
    }

    static func defaultGrid(width: Int, height: Int, long: Int = 24) -> GridSize {
        if width >= height { return GridSize(height: max(1, Int((Double(long * height) / Double(width)).rounded())), width: long) }
        return GridSize(height: long, width: max(1, Int((Double(long * width) / Double(height)).rounded())))
    }

    static func image(name: String, image: RGBImage, source: String, options: LoadOptions) throws -> LoadedSample {
        if let f = options.features {
            let (t, origin) = try features(f)
            let rows = t.shape.count == 3 && t.shape[0] == 1 ? t.shape[1] : (t.shape.count == 2 ? t.shape[0] : -1)
            guard rows > 0 else { throw DeFTError(ArrayReference(f).label, "image features have shape \(t.shape), expected [N,d]") }
            let grid = try options.grid ?? squareGrid(rows, source: ArrayReference(f).label)
            guard grid.height * grid.width == rows else {
                throw DeFTError(ArrayReference(f).label, "\(rows) feature rows do not match the \(grid.height)×\(grid.width) grid (\(grid.height * grid.width) patches)")
            }
            let layout = TokenLayout.image(height: grid.height, width: grid.width)
            return LoadedSample(name: name, media: .image(image),
                                tokenSet: TokenSet(tokens: t.asMatrix(), layout: layout, featureOrigin: origin))
        }
        if try options.encoder.resolved(for: .image, source: source) == .dinov2S14 {
            guard options.grid == nil else { throw DeFTError("--grid", "DINOv2's grid follows from --resolution and --fit; --grid is for --encoder builtin") }
            let e = try options.encoder.dinov2([image], source: source)
            return LoadedSample(name: name, media: .image(e.framed[0]),
                                tokenSet: TokenSet(tokens: e.tokens, layout: .image(height: e.grid.height, width: e.grid.width), featureOrigin: e.origin))
        }
        let grid = options.grid ?? defaultGrid(width: image.width, height: image.height)
        let tokens = PatchFeatures.encode(image, gridHeight: grid.height, gridWidth: grid.width)
        return LoadedSample(name: name, media: .image(image),
                            tokenSet: TokenSet(tokens: tokens, layout: .image(height: grid.height, width: grid.width), featureOrigin: PatchFeatures.origin))
    }

    static func video(name: String, frames: [RGBImage], source: String, options: LoadOptions) throws -> LoadedSample {
        var sample = try videoTokens(name: name, frames: frames, source: source, options: options)
        if let asked = options.frames, asked > frames.count {
            sample.notes.append("\(source): --frames \(asked) is more than the \(frames.count) frames there are; using all \(frames.count)")
        }
        return sample
    }

    static func videoTokens(name: String, frames: [RGBImage], source: String, options: LoadOptions) throws -> LoadedSample {
        let first = frames[0]
        if let f = options.features {
            let ref = ArrayReference(f)
            let (t, origin) = try features(f)
            let grid = try options.grid ?? squareGrid(t.shape.count == 3 ? t.shape[1] : -1, source: ref.label)
            let per = grid.height * grid.width
            let total = t.shape.count == 3 ? t.shape[0] * t.shape[1] : (t.shape.count == 2 ? t.shape[0] : -1)
            guard total == frames.count * per else {
                throw DeFTError(ref.label, "features have shape \(t.shape) but \(frames.count) frames × \(grid.height)×\(grid.width) patches need \(frames.count * per) rows")
            }
            return LoadedSample(name: name, media: .video(frames),
                                tokenSet: TokenSet(tokens: t.asMatrix(), layout: .video(frames: frames.count, height: grid.height, width: grid.width),
                                                   featureOrigin: origin))
        }
        if try options.encoder.resolved(for: .video, source: source) == .dinov2S14 {
            guard options.grid == nil else { throw DeFTError("--grid", "DINOv2's grid follows from --resolution and --fit; --grid is for --encoder builtin") }
            let e = try options.encoder.dinov2(frames, source: source, progress: options.reporting("encoding (DINOv2)", unit: "frame"))
            return LoadedSample(name: name, media: .video(e.framed),
                                tokenSet: TokenSet(tokens: e.tokens, layout: .video(frames: frames.count, height: e.grid.height, width: e.grid.width),
                                                   featureOrigin: e.origin))
        }
        let grid = options.grid ?? defaultGrid(width: first.width, height: first.height, long: 16)
        let tokens = PatchFeatures.encode(frames: frames, gridHeight: grid.height, gridWidth: grid.width,
                                          progress: options.reporting("encoding", unit: "frame"))
        return LoadedSample(name: name, media: .video(frames),
                            tokenSet: TokenSet(tokens: tokens, layout: .video(frames: frames.count, height: grid.height, width: grid.width),
                                               featureOrigin: PatchFeatures.origin))
    }

    static func text(name: String, document: TextDocument, source: String, options: LoadOptions) throws -> LoadedSample {
        guard !document.tokens.isEmpty else { throw DeFTError(source, "the text has no tokens") }
        guard document.tokens.count <= TextTokenizer.maxTokens else {
            throw DeFTError(source, "the text has \(document.tokens.count) tokens; deft scores at most \(TextTokenizer.maxTokens) tokens of text (split it)")
        }
        if let f = options.features {
            let ref = ArrayReference(f)
            let (t, origin) = try features(f)
            let rows = t.shape.count == 2 ? t.shape[0] : (t.shape.count == 3 && t.shape[0] == 1 ? t.shape[1] : -1)
            guard rows == document.tokens.count else {
                throw DeFTError(ref.label, "features have shape \(t.shape) but the text has \(document.tokens.count) tokens")
            }
            return LoadedSample(name: name, media: .text(document),
                                tokenSet: TokenSet(tokens: t.asMatrix(), layout: .text(count: rows), featureOrigin: origin))
        }
        if try options.encoder.resolved(for: .text, source: source) == .miniLML6 {
            let e = try options.encoder.miniLM(document.text, progress: options.reporting("encoding (MiniLM)", unit: "window"))
            guard !e.document.tokens.isEmpty else { throw DeFTError(source, "the text has no wordpieces") }
            return LoadedSample(name: name, media: .text(e.document),
                                tokenSet: TokenSet(tokens: e.tokens, layout: .text(count: e.document.tokens.count), featureOrigin: e.origin))
        }
        return LoadedSample(name: name, media: .text(document),
                            tokenSet: TokenSet(tokens: TextFeatures.encode(document), layout: .text(count: document.tokens.count),
                                               featureOrigin: TextFeatures.origin))
    }

    /// Stored features and what made them: the encoder and settings a deft-written safetensors file
    /// records (`deft encode`, `deft bundle`), else just the file's name.
    static func features(_ f: String) throws -> (Tensor, origin: String) {
        let ref = ArrayReference(f)
        let (t, metadata) = try ref.loadWithMetadata()
        let file = (ref.path as NSString).lastPathComponent
        return (t, metadata["origin"].map { "\($0) (\(file))" } ?? "features from \(file)")
    }

    static func squareGrid(_ n: Int, source: String) throws -> GridSize {
        let s = Int(Double(max(n, 0)).squareRoot().rounded())
        guard n > 0, s * s == n else { throw DeFTError(source, "\(n) feature rows are not a square grid; give the grid") }
        return GridSize(height: s, width: s)
    }
}

/// The bundled Samples folder and what is in it.
public enum SampleCatalog {
    /// ./Samples, then beside the running executable's package (…/.build/<config>/deft), then $DEFT_SAMPLES.
    public static func defaultRoot() -> String? {
        var candidates = ["Samples"]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Samples").path)
            dir.deleteLastPathComponent()
        }
        if let env = ProcessInfo.processInfo.environment["DEFT_SAMPLES"] { candidates.insert(env, at: 0) }
        return candidates.first { !bundles(in: $0).isEmpty }
    }

    /// Bundle folders (with a deft.json) and labelled-digit folders under `root`, sorted by name.
    public static func bundles(in root: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return names.sorted().map { (root as NSString).appendingPathComponent($0) }.filter(isSample)
    }

    /// A folder that opens as one sample (as opposed to a folder of samples).
    public static func isSample(_ folder: String) -> Bool {
        BundlePath.entryExists((folder as NSString).appendingPathComponent(BundleManifest.fileName))
            || LabelledDigits.isFolder(folder)
    }
}
