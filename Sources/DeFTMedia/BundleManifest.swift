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
public struct BundleManifest: Sendable, Equatable {
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
        guard let media = try string("media") else { throw DeFTError(path, "'media' is missing") }
        var b = BundleManifest(modality: modality, media: media)
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
        let known: Set<String> = ["title", "modality", "media", "grid", "frames", "features", "tokens", "weights", "logits", "gradient", "label", "encoder", "fit"]
        if let unknown = json.keys.first(where: { !known.contains($0) }) {
            throw DeFTError(path, "unknown field '\(unknown)'")
        }
        return b
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
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        do { try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path)) } catch {
            throw DeFTError(path, "cannot write: \(error.localizedDescription)")
        }
    }
}
