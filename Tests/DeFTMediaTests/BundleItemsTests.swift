import Foundation
import Testing
@testable import DeFT
@testable import DeFTMedia

/// A bundle of several inputs sharing one set of weights: `items` in the manifest, `FOLDER:I` for item I.
@Suite struct BundleItemsTests {
    static func bundle(_ manifest: String) throws -> String {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent("items-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: f + "/images", withIntermediateDirectories: true)
        for (i, shade) in [20, 200].enumerated() {
            let image = RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: UInt8(shade), count: 8 * 8 * 3))
            try Data(ImageDecoder.encodePNG(image)).write(to: URL(fileURLWithPath: f + "/images/\(i).png"))
            var rng = SplitMix64(seed: UInt64(i))
            let halves = (0..<(4 * 5)).map { _ in Float16(rng.nextFloat(in: -1...1)).bitPattern }
            try Npy.write(halves: halves, shape: [4, 5], to: f + "/images/\(i).npy")
        }
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: f + "/deft.json"))
        return f
    }

    static let manifest = """
    {"modality": "image", "title": "pair", "grid": [2, 2], "classes": ["dark", "light"], "curve": "images/0.npy",
     "items": [{"media": "images/0.png", "features": "images/0.npy", "label": 0},
               {"media": "images/1.png", "features": "images/1.npy", "label": 1}]}
    """

    @Test func eachItemOpensWithItsOwnImageTokensAndLabel() throws {
        let f = try Self.bundle(Self.manifest)
        #expect(BundleItems.names(f) == [f + ":0", f + ":1"])
        let parsed = try #require(BundleItems.parse(f + ":1"))
        #expect(parsed.folder == f && parsed.item == 1 && BundleItems.parse(f) == nil && BundleItems.parse("/nonexistent:1") == nil)
        let first = try SampleLoader.load(f), second = try SampleLoader.load(f + ":1")
        #expect(first.name == "pair" && second.name == "pair")
        #expect(first.label == 0 && second.label == 1 && second.classNames == ["dark", "light"])
        #expect(second.curvePath?.hasSuffix("images/0.npy") == true)
        // The float16 tokens come back as written.
        let expected = try Npy.load(path: f + "/images/1.npy")
        #expect(second.tokenSet.tokens.storage == expected.values && second.tokenSet.layout == .image(height: 2, width: 2))
        guard case .image(let img)? = second.media else { Issue.record("not an image"); return }
        #expect(img.pixels[0] == 200)
        #expect { _ = try SampleLoader.load(f + ":2") } throws: { "\($0)".contains("has 2 items (0…1); there is no item 2") }
        // The manifest round-trips through write.
        let m = try BundleManifest.load(folder: f)
        try m.write(folder: f)
        #expect(try BundleManifest.load(folder: f) == m)
    }

    @Test func badItemsAreNamed() throws {
        func problem(_ json: String) throws -> String {
            let f = try Self.bundle(json)
            do { _ = try BundleManifest.load(folder: f); return "" } catch { return "\(error)" }
        }
        #expect(try problem(#"{"modality": "image", "items": []}"#).contains("'items' must be a list"))
        #expect(try problem(#"{"modality": "image", "items": [{"features": "a.npy"}]}"#).contains("items[0] needs 'media'"))
        #expect(try problem(#"{"modality": "image", "items": [{"media": "a.png", "lable": 1}]}"#).contains("unknown field 'lable'"))
        #expect(try problem(#"{"modality": "image", "items": [{"media": "a.png", "label": -1}]}"#).contains("items[0].label"))
        #expect(try problem(#"{"modality": "image", "classes": ["a"], "items": [{"media": "a.png", "label": 1}]}"#)
            .contains("label 1 is outside the 1 classes"))
        #expect(try problem(#"{"modality": "image", "media": "a.png", "classes": []}"#).contains("'classes' must be"))
        // A path outside the folder stays refused in an item too.
        let f = try Self.bundle(#"{"modality": "image", "items": [{"media": "../x.png"}]}"#)
        #expect { _ = try SampleLoader.load(f) } throws: { "\($0)".contains("leaves the bundle folder") }
    }
}
