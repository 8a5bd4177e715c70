import DeFT
import DeFTEncoders
import Foundation

/// `deft.json`: a folder that opens as one sample. Paths are relative to the folder.
///
/// ```json
/// { "title": "Astronaut", "modality": "image", "media": "astronaut.png", "grid": [24, 24],
///   "features": "clip.npy", "weights": "weights.safetensors", "logits": "x.safetensors:logits",
///   "gradient": "g.npy", "label": 3, "frames": 8, "tokens": "passage.tokens.tsv", "encoder": "builtin",
///   "fit": "pad" }
/// ```
/// Only `modality` and `media` are required. `encoder` says which encoder made the tokens: without
/// `features` the one that encodes the media on load (dinov2-s14, minilm-l6 or builtin; absent: builtin,
/// as bundles were before); with them, the one that computed them. `fit` (pad, crop or keep; default
/// pad) is how dinov2-s14 framed a non-square image or frame, so its stored tokens are drawn over the
/// pixels it saw.
///
/// A bundle of several inputs that share one set of weights (the accuracy experiment's test images)
/// lists them as `"items": [{"media": "images/00.png", "features": "tokens/00.npy", "label": 9}, …]`:
/// each item's fields stand in for the top-level ones, `media` may then be left out, the bundle opens
/// as its first item and `FOLDER:I` names item I (0-based). `classes` names the labels' classes and
/// `curve` is a precomputed accuracy curve (`deft eval accuracy --json`'s report) the viewer draws on `g`.
public struct BundleManifest: Sendable, Equatable {
    /// One input of a bundle of several.
    public struct Item: Sendable, Equatable {
        public var media: String
        public var features: String?
        public var label: Int?
        public init(media: String, features: String? = nil, label: Int? = nil) {
            self.media = media; self.features = features; self.label = label
        }
    }

    public var title: String?
    public var modality: Modality
    public var media: String
    public var grid: GridSize?
    public var frames: Int?
    public var features: String?
    public var tokens: String?
    public var weights: String?
    public var logits: String?
    public var gradient: String?
    public var label: Int?
    public var encoder: EncoderName?
    public var fit: ImageFit?
    public var items: [Item]?
    public var classes: [String]?
    public var curve: String?

    /// More would make a manifest a data set; the viewer steps through items one key press at a time.
    public static let maxItems = 10_000

    public init(modality: Modality, media: String) { self.modality = modality; self.media = media }

    public static let fileName = "deft.json"

    public static func load(folder: String) throws -> BundleManifest {
        let path = (folder as NSString).appendingPathComponent(fileName)
        _ = try BundlePath.real(path, manifest: path, what: "the manifest")   // a symlink loop says so
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the manifest") }
        return try parse(data, path: path)
    }

    /// A manifest from its bytes; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws -> BundleManifest {
        guard let obj = try? JSONSerialization.jsonObject(with: data), let json = obj as? [String: Any] else {
            throw DeFTError(path, "the manifest is not a JSON object")
        }
        func string(_ k: String) throws -> String? {
            guard let v = json[k], !(v is NSNull) else { return nil }
            guard let s = v as? String, !s.isEmpty else { throw DeFTError(path, "'\(k)' must be a non-empty string") }
            return s
        }
        func int(_ k: String) throws -> Int? {
            guard let v = json[k], !(v is NSNull) else { return nil }
            guard let n = JSONNumber.integer(v) else { throw DeFTError(path, "'\(k)' must be a whole number") }
            return n
        }
        guard let m = try string("modality") else { throw DeFTError(path, "'modality' is missing (image, video or text)") }
        guard let modality = Modality(rawValue: m) else { throw DeFTError(path, "unknown modality '\(m)' (image, video or text)") }
        let items = try parseItems(json["items"], path: path)
        guard let media = try string("media") ?? items?.first?.media else { throw DeFTError(path, "'media' is missing") }
        var b = BundleManifest(modality: modality, media: media)
        b.items = items
        b.curve = try string("curve")
        if let c = json["classes"], !(c is NSNull) {
            guard let names = c as? [Any], !names.isEmpty, let strings = names as? [String], strings.allSatisfy({ !$0.isEmpty }) else {
                throw DeFTError(path, "'classes' must be a non-empty list of class names")
            }
            b.classes = strings.map(\.terminalSafe)
        }
        b.title = try string("title")?.terminalSafe
        if let g = json["grid"] {
            guard let a = JSONNumber.integers(g), a.count == 2, a.allSatisfy({ $0 > 0 && $0 <= 512 }) else {
                throw DeFTError(path, "'grid' must be [H, W] of whole numbers in 1…512")
            }
            b.grid = GridSize(height: a[0], width: a[1])
        }
        b.frames = try int("frames")
        if let f = b.frames, f < 1 { throw DeFTError(path, "'frames' must be at least 1") }
        b.features = try string("features")
        b.tokens = try string("tokens")
        b.weights = try string("weights")
        b.logits = try string("logits")
        b.gradient = try string("gradient")
        b.label = try int("label")
        if let e = try string("encoder") {
            guard let name = EncoderName(rawValue: e) else { throw DeFTError(path, "unknown encoder '\(e)' (dinov2-s14, minilm-l6 or builtin)") }
            b.encoder = name
        }
        if let f = try string("fit") {
            guard let fit = ImageFit(rawValue: f) else { throw DeFTError(path, "unknown fit '\(f)' (pad, crop or keep)") }
            b.fit = fit
        }
        if let l = b.label, l < 0 { throw DeFTError(path, "'label' is a class index and cannot be negative, found \(l)") }
        if let classes = b.classes, let l = ([b.label] + (items ?? []).map(\.label)).compactMap({ $0 }).first(where: { $0 >= classes.count }) {
            throw DeFTError(path, "label \(l) is outside the \(classes.count) classes named in 'classes'")
        }
        let known: Set<String> = ["title", "modality", "media", "grid", "frames", "features", "tokens", "weights", "logits", "gradient", "label", "encoder",
                                  "fit", "items", "classes", "curve"]
        if let unknown = json.keys.first(where: { !known.contains($0) }) {
            throw DeFTError(path, "unknown field '\(unknown)'")
        }
        return b
    }

    static func parseItems(_ value: Any?, path: String) throws -> [Item]? {
        guard let value, !(value is NSNull) else { return nil }
        guard let list = value as? [Any], !list.isEmpty, list.count <= maxItems else {
            throw DeFTError(path, "'items' must be a list of 1…\(maxItems) objects")
        }
        return try list.enumerated().map { i, v in
            guard let o = v as? [String: Any] else { throw DeFTError(path, "items[\(i)] is not an object") }
            if let unknown = o.keys.first(where: { !["media", "features", "label"].contains($0) }) {
                throw DeFTError(path, "items[\(i)] has an unknown field '\(unknown)' (media, features, label)")
            }
            guard let media = o["media"] as? String, !media.isEmpty else { throw DeFTError(path, "items[\(i)] needs 'media', a non-empty string") }
            var item = Item(media: media)
            if let f = o["features"] {
                guard let f = f as? String, !f.isEmpty else { throw DeFTError(path, "items[\(i)].features must be a non-empty string") }
                item.features = f
            }
            if let l = o["label"] {
                guard let n = JSONNumber.integer(l), n >= 0 else { throw DeFTError(path, "items[\(i)].label must be a class index (a whole number ≥ 0)") }
                item.label = n
            }
            return item
        }
    }

    public func write(folder: String) throws {
        var obj: [String: Any] = ["modality": modality.rawValue, "media": media]
        if let title { obj["title"] = title }
        if let grid { obj["grid"] = [grid.height, grid.width] }
        if let frames { obj["frames"] = frames }
        if let features { obj["features"] = features }
        if let tokens { obj["tokens"] = tokens }
        if let weights { obj["weights"] = weights }
        if let logits { obj["logits"] = logits }
        if let gradient { obj["gradient"] = gradient }
        if let label { obj["label"] = label }
        if let encoder { obj["encoder"] = encoder.rawValue }
        if let fit { obj["fit"] = fit.rawValue }
        if let classes { obj["classes"] = classes }
        if let curve { obj["curve"] = curve }
        if let items {
            obj["items"] = items.map { i -> [String: Any] in
                var o: [String: Any] = ["media": i.media]
                if let f = i.features { o["features"] = f }
                if let l = i.label { o["label"] = l }
                return o
            }
        }
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        do { try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path)) } catch {
            throw DeFTError(path, "cannot write: \(error.localizedDescription)")
        }
    }
}
