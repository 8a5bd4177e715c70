// Fuzz targets for every parser that reads bytes a user hands deft: .npy, .safetensors, the bundle
// manifest (deft.json), the image decoders (PNG, JPEG, PNM through one entry); and three that follow
// a file further: a whole bundle (manifest, path resolution and loading against a fixed folder, then
// scoring), a config.json (LLaVA's DeFT fields into a model, a language model into the cost model) and
// a classifier head (checked against the weights beside it, then evaluated).
// And the text encoder's loaders: a BERT vocab.txt (then the tokenizer on the same bytes as text) and a BERT config.json.
//
// Built normally it is a replayer: `deft-fuzz TARGET FILE...` runs one target on each file (the
// regression check for anything a fuzzer found). Built with -DFUZZING and libFuzzer it is the fuzzer;
// `.ci/fuzz` does both. A target passes when the parser returns or throws a DeFTError — a trap,
// a sanitizer report or a hang is the failure.
import DeFT
import DeFTEncoders
import DeFTEval
import DeFTMedia
import DeFTTrain
import Foundation

enum Target: String, CaseIterable {
    case npy, safetensors, manifest, image, bundle, config, head, vocab, bertconfig

    /// True when the input was accepted, false when it was refused with a DeFTError.
    @discardableResult
    func run(_ bytes: Data) -> Bool {
        do {
            switch self {
            case .npy:
                let t = try Npy.parse(bytes, path: "fuzz.npy")
                _ = t.values.reduce(0, +)
            case .safetensors:
                let f = try SafetensorsFile(data: bytes, path: "fuzz.safetensors")
                for name in f.names { _ = try? f.floats(name); _ = try? f.integers(name) }
            case .manifest:
                _ = try BundleManifest.parse(bytes, path: "deft.json")
            case .image:
                let img = try ImageDecoder.decode([UInt8](bytes), source: "fuzz.img")
                precondition(img.pixels.count == img.width * img.height * 3, "decoded size disagrees with the pixels")
            case .bundle:
                try Workspace.shared.put(bytes, "bundle/deft.json")
                let s = try SampleLoader.load(Workspace.shared.path("bundle"))
                precondition(s.name.isTerminalSafe, "a sample name reached the viewer with controls in it")
                if case .text(let doc)? = s.media { precondition(doc.text.terminalSafeText == doc.text, "text with controls") }
                // Score what loaded, as view and score would (small inputs only: this is about shapes).
                if s.tokenSet.tokens.rows <= 4096 {
                    let model = DeFTModel(untrained: DeFTConfig(tokenDim: s.tokenSet.tokens.cols, semanticDim: 8), seed: 1)
                    _ = try DeFTPipeline.score(model, tokens: s.tokenSet.tokens, batch: 1, layout: s.tokenSet.layout,
                                               feedback: s.gradient, logits: s.logits)
                }
            case .config:
                try Workspace.shared.put(bytes, "config.json")
                let path = Workspace.shared.path("config.json")
                if let llava = try? LLaVAConfig.load(path: path) {
                    var c = DeFTConfig(tokenDim: 6)
                    llava.apply(to: &c)
                    c.tokenDim = 6   // the data decides d, as deft score does
                    let model = DeFTModel(untrained: c, seed: 2)
                    let x = Matrix(rows: 4, cols: 6, storage: (0..<24).map { Float($0 % 5) - 2 })
                    _ = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: .text(count: 4))
                }
                let lm = try LanguageModel.load(configPath: path)
                let e = CostModel(model: lm, textTokens: 64, pruneLayer: 1).estimate(visual: 576, kept: 100)
                precondition(e.prefillFLOPs.isFinite && e.kvBytes.isFinite && (e.weightBytes ?? 0).isFinite, "a cost that JSON cannot hold")
            case .head:
                try Workspace.shared.put(bytes, "head/w.head.safetensors")
                let head = try Checkpoint.loadHead(beside: Workspace.shared.path("head/w.safetensors"))
                let labels = [0, head.classes - 1]
                try head.check(labels: labels, source: "fuzz")
                let z = Matrix(rows: 6, cols: head.head.inputWidth, storage: (0..<(6 * head.head.inputWidth)).map { Float($0 % 7) / 7 })
                let r = head.evaluate(z: z, tokens: z, mask: [Float](repeating: 1, count: 6), batch: 2, labels: labels)
                precondition((r.predictions ?? []).allSatisfy { (0..<head.classes).contains($0) }, "a prediction outside the head")
            case .vocab:
                let tokenizer = WordPieceTokenizer(vocabulary: try WordPieceVocabulary(data: bytes, path: "vocab.txt"))
                let text = String(decoding: bytes, as: UTF8.self)
                let end = text.utf8.count
                for p in tokenizer.tokenize(text) {
                    precondition(p.span.lowerBound >= 0 && p.span.upperBound <= end && !p.span.isEmpty, "a span outside the text")
                    precondition(tokenizer.vocabulary.tokens[p.id] == p.text, "a piece whose id is not its text")
                }
            case .bertconfig:
                let c = try BertConfig(data: bytes, path: "config.json")
                precondition(c.hiddenSize % c.heads == 0 && c.layerNormEps > 0, "an inconsistent config was accepted")
            }
            return true
        } catch is DeFTError {
            return false
        } catch {
            fatalError("\(self): a non-DeFT error escaped: \(error)")
        }
    }
}

/// A fixed folder the bundle, config and head targets write their input into: a bundle with a text,
/// its token list, an image, features, a frame folder, weights, a symlink out of the folder and a
/// symlink loop; and weights (d = 6, d′ = 4) for heads to sit beside.
final class Workspace: @unchecked Sendable {
    static let shared = Workspace()
    let root: String

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("deft-fuzz-\(getpid())").path
        let fm = FileManager.default
        do {
            for dir in ["bundle/frames", "head"] { try fm.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true) }
            try put(Data("Four score and seven years ago.\n".utf8), "bundle/t.txt")
            try put(Data("token\tstart\tend\nFour\t0\t4\nscore\t5\t10\n".utf8), "bundle/t.tokens.tsv")
            let png = Data(try ImageDecoder.encodePNG(RGBImage(width: 8, height: 8, pixels: (0..<192).map { UInt8($0 % 251) })))
            for name in ["bundle/a.png", "bundle/frames/1.png", "bundle/frames/2.png"] { try put(png, name) }
            try Npy.write(Tensor(shape: [4, 6], values: (0..<24).map { Float($0) / 24 }), to: path("bundle/f.npy"))
            try Npy.write(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), to: path("bundle/g.npy"))
            try DeFTModel(untrained: DeFTConfig(tokenDim: TextFeatures.width, semanticDim: 4), seed: 3).save(to: path("bundle/w.safetensors"))
            try? fm.createSymbolicLink(atPath: path("bundle/out.txt"), withDestinationPath: "/etc/hostname")
            try? fm.createSymbolicLink(atPath: path("bundle/loop"), withDestinationPath: "loop")
            try DeFTModel(untrained: DeFTConfig(tokenDim: 6, semanticDim: 4), seed: 4).save(to: path("head/w.safetensors"))
        } catch {
            fatalError("cannot set up the fuzz workspace: \(error)")
        }
    }

    func path(_ name: String) -> String { "\(root)/\(name)" }
    func put(_ data: Data, _ name: String) throws { try data.write(to: URL(fileURLWithPath: path(name))) }
}

#if FUZZING
/// libFuzzer reads the target's name from DEFT_FUZZ_TARGET (one binary, several targets).
let fuzzTarget: Target = {
    guard let name = ProcessInfo.processInfo.environment["DEFT_FUZZ_TARGET"], let t = Target(rawValue: name) else {
        fatalError("set DEFT_FUZZ_TARGET to one of \(Target.allCases.map(\.rawValue))")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTarget.run(Data(bytes: data, count: size))
    return 0
}
#else
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = Target(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: deft-fuzz \(Target.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".utf8))
            exit(2)
        }
        var count = 0, accepted = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            let files = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else { continue }
                if target.run(data) { accepted += 1 }
                count += 1
            }
        }
        print("deft-fuzz \(name): \(count) inputs, no crash (\(accepted) accepted, \(count - accepted) refused)")
    }
}
#endif
