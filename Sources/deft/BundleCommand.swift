import ArgumentParser
import DeFT
import DeFTEncoders
import DeFTMedia
import Foundation

/// `deft bundle`: packs an input and its extras into a folder that `deft view DIR` opens at once.
struct Bundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a bundle folder (deft.json + copies of the files) from an image, frames, a video or a text.",
        discussion: "The bundle is loaded once after writing, so a bundle that deft writes is one deft can open."
    )

    @Argument(help: ArgumentHelp("An image, a folder of frames, a video file or a UTF-8 text file.", valueName: "INPUT"))
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The bundle folder to create.", valueName: "DIR"))
    var out: String

    @Option(help: "A title for the viewer.") var title: String?
    @Option(help: "image, video or text (default: from the input).") var modality: Modality?
    @OptionGroup var media: MediaOptions
    @Option(help: ArgumentHelp("Token features from a model (.npy or .safetensors[:KEY]); without them a real encoder's tokens are computed now and stored in float16 (ENCODER.safetensors, and ENCODER.tokens.tsv for text).", valueName: "PATH")) var features: String?
    @Option(help: ArgumentHelp("Token list with byte offsets for text features (.tsv).", valueName: "PATH")) var tokens: String?
    @Option(help: ArgumentHelp("DeFT weights (safetensors); a head beside them is copied too.", valueName: "PATH")) var weights: String?
    @Option(help: ArgumentHelp("Per-token logits.", valueName: "PATH[:KEY]")) var logits: String?
    @Option(help: ArgumentHelp("∂L/∂z.", valueName: "PATH[:KEY]")) var gradient: String?
    @Option(help: "A class label (classify).") var label: Int?

    func run() throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: input, isDirectory: &isDir) else { throw DeFTError(input, "no such file or folder") }
        guard !fm.fileExists(atPath: (out as NSString).appendingPathComponent(BundleManifest.fileName)) else {
            throw DeFTError(out, "already holds a bundle; choose a new folder")
        }
        // Check and load first: nothing is written for an input deft cannot read or a manifest it would refuse.
        if let label, label < 0 { throw DeFTError("--label", "a class index cannot be negative, got \(label)") }
        let sample = try SampleLoader.load(input, options: media.loadShowingProgress)
        do { try fm.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw DeFTError(out, "cannot create the folder: \(error.localizedDescription)")
        }

        /// Copies `path` (PATH or PATH:KEY) into the bundle and returns its name there.
        func copy(_ reference: String?) throws -> String? {
            guard let reference else { return nil }
            let ref = ArrayReference(reference)
            let name = (ref.path as NSString).lastPathComponent
            let target = (out as NSString).appendingPathComponent(name)
            if !fm.fileExists(atPath: target) {
                do { try fm.copyItem(atPath: ref.path, toPath: target) } catch {
                    throw DeFTError(ref.path, "cannot copy into the bundle: \(error.localizedDescription)")
                }
            }
            return ref.key.map { "\(name):\($0)" } ?? name
        }

        var m = BundleManifest(modality: modality ?? sample.tokenSet.layout.modality, media: try copy(input)!)
        m.title = title ?? sample.name
        m.grid = media.grid
        m.frames = media.frames
        m.features = try copy(features)
        m.tokens = try copy(tokens)
        // Without features, the tokens come from an encoder: record which, so the weights meet them again.
        if features == nil { m.encoder = try media.choice.resolved(for: m.modality, source: input) }
        if let encoder = m.encoder, encoder != .builtin {
            // A real encoder's tokens are stored (float16: half the bytes, each value kept to 11 significant
            // bits), so opening the bundle reads them instead of running the encoder, on any machine.
            let layout = sample.tokenSet.layout
            m.features = encoder.rawValue + ".safetensors"
            try TokenFile.write(sample, source: input, as: .f16, to: (out as NSString).appendingPathComponent(m.features!))
            if layout.modality == .text, case .text(let document)? = sample.media {
                m.tokens = encoder.rawValue + ".tokens.tsv"
                let path = (out as NSString).appendingPathComponent(m.tokens!)
                do { try Data(TextTokenizer.tokenList(document).utf8).write(to: URL(fileURLWithPath: path)) } catch {
                    throw DeFTError(path, "cannot write: \(error.localizedDescription)")
                }
            } else {
                m.grid = GridSize(height: layout.height, width: layout.width)
                m.fit = media.choice.fit
                if layout.modality == .video { m.frames = layout.frames }
            }
        }
        m.weights = try copy(weights)
        if let weights {
            let head = String(weights.dropLast(weights.hasSuffix(".safetensors") ? ".safetensors".count : 0)) + ".head.safetensors"
            if fm.fileExists(atPath: head) { _ = try copy(head) }
        }
        m.logits = try copy(logits)
        m.gradient = try copy(gradient)
        m.label = label
        try m.write(folder: out)
        let check = try SampleLoader.load(out)
        print("deft bundle: \(out.terminalSafe) — \(check.tokenSet.layout.count) \(check.tokenSet.layout.modality.rawValue) tokens, \(check.tokenSet.featureOrigin); open it with: deft view \(out.terminalSafe)")
    }
}
