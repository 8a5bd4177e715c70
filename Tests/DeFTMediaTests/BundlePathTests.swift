import Foundation
import Testing
@testable import DeFT
@testable import DeFTMedia

/// A bundle's manifest may only name files inside its folder, symlinks resolved.
@Suite struct BundlePathTests {
    /// A bundle folder with a text sample, beside a "secret" file outside it.
    func bundle() throws -> (folder: String, outside: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("paths-\(UUID().uuidString)").path
        let folder = base + "/bundle"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "Outside words here.".write(toFile: base + "/secret.txt", atomically: true, encoding: .utf8)
        try Npy.write(Tensor(shape: [3, 4], values: [Float](repeating: 1, count: 12)), to: base + "/secret.npy")
        try "Inside words here.".write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        return (folder, base)
    }

    func manifest(_ folder: String, _ json: String) {
        FileManager.default.createFile(atPath: folder + "/deft.json", contents: Data(json.utf8))
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test(arguments: ["media", "features", "tokens", "weights", "logits", "gradient"])
    func dotDotAndAbsolutePathsAreRefused(_ field: String) throws {
        let (f, outside) = try bundle()
        let media = field == "media" ? "" : #""media": "t.txt", "#
        manifest(f, #"{"modality": "text", \#(media)"\#(field)": "../secret.npy"}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(f)/deft.json: '../secret.npy' leaves the bundle folder ('..' is not allowed)")
        manifest(f, #"{"modality": "text", \#(media)"\#(field)": "\#(outside)/secret.npy"}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(f)/deft.json: '\(outside)/secret.npy' is an absolute path; a bundle's paths are relative to its folder")
    }

    @Test func symlinksOutOfTheFolderAreRefused() throws {
        let (f, outside) = try bundle()
        try FileManager.default.createSymbolicLink(atPath: f + "/link.txt", withDestinationPath: outside + "/secret.txt")
        manifest(f, #"{"modality": "text", "media": "link.txt"}"#)
        let real = URL(fileURLWithPath: outside + "/secret.txt").resolvingSymlinksInPath().path
        #expect(message { _ = try SampleLoader.load(f) } == "\(f)/deft.json: 'link.txt' resolves to \(real), outside the bundle folder (symlinks must stay inside it)")
        // A symlinked folder on the way counts too.
        try FileManager.default.createSymbolicLink(atPath: f + "/up", withDestinationPath: outside)
        manifest(f, #"{"modality": "text", "media": "t.txt", "features": "up/secret.npy"}"#)
        #expect(message { _ = try SampleLoader.load(f) }?.contains("'up/secret.npy' resolves to") == true)
        // A link that stays inside is fine.
        try FileManager.default.createSymbolicLink(atPath: f + "/alias.txt", withDestinationPath: "t.txt")
        manifest(f, #"{"modality": "text", "media": "alias.txt", "title": "ok"}"#)
        #expect(try SampleLoader.load(f).name == "ok")
    }

    @Test func aHeadBesideTheWeightsMustStayInsideToo() throws {
        let (f, outside) = try bundle()
        try DeFTModel(untrained: DeFTConfig(tokenDim: TextFeatures.width, semanticDim: 8), seed: 1).save(to: f + "/w.safetensors")
        try FileManager.default.createSymbolicLink(atPath: f + "/w.head.safetensors", withDestinationPath: outside + "/secret.npy")
        manifest(f, #"{"modality": "text", "media": "t.txt", "weights": "w.safetensors"}"#)
        #expect(message { _ = try SampleLoader.load(f) }?.contains("'w.head.safetensors' resolves to") == true)
    }

    @Test func aManifestSymlinkLoopIsAnErrorNotFrames() throws {
        let (f, _) = try bundle()
        try FileManager.default.createSymbolicLink(atPath: f + "/deft.json", withDestinationPath: "deft.json")
        #expect(message { _ = try SampleLoader.load(f) } == "\(f)/deft.json: the manifest is a symlink loop")
        let (g, _) = try bundle()
        try FileManager.default.createSymbolicLink(atPath: g + "/deft.json", withDestinationPath: "gone.json")
        #expect(message { _ = try SampleLoader.load(g) } == "\(g)/deft.json: the manifest does not exist in the bundle")
    }
}
