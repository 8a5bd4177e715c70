// Fuzz targets for every parser that reads bytes a user hands deft: .npy, .safetensors, the bundle
// manifest (deft.json), the image decoders (PNG, JPEG, PNM through one entry), a BERT vocab.txt (then the
// tokenizer on the same bytes as text) and a BERT config.json.
//
// Built normally it is a replayer: `deft-fuzz TARGET FILE...` runs one target on each file (the
// regression check for anything a fuzzer found). Built with -DFUZZING and libFuzzer it is the fuzzer;
// `.ci/fuzz` does both. A target passes when the parser returns or throws a DeFTError — a trap,
// a sanitizer report or a hang is the failure.
import DeFT
import DeFTEncoders
import DeFTMedia
import Foundation

enum Target: String, CaseIterable {
    case npy, safetensors, manifest, image, vocab, bertconfig

    func run(_ bytes: Data) {
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
        } catch is DeFTError {
        } catch {
            fatalError("\(self): a non-DeFT error escaped: \(error)")
        }
    }
}

#if FUZZING
/// libFuzzer reads the target's name from DEFT_FUZZ_TARGET (one binary, one target each run).
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
        var count = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            let files = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else { continue }
                target.run(data)
                count += 1
            }
        }
        print("deft-fuzz \(name): \(count) inputs, no crash")
    }
}
#endif
