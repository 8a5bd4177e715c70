import Foundation
import Testing
@testable import DeFT
@testable import DeFTMedia
import DeFTEncoders

@Suite struct SampleLoaderTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func folder() -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    func write(_ folder: String, _ name: String, _ text: String) {
        FileManager.default.createFile(atPath: (folder as NSString).appendingPathComponent(name), contents: Data(text.utf8))
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func everyBundledSampleOpens() throws {
        let bundles = SampleCatalog.bundles(in: root.appendingPathComponent("Samples").path)
        #expect(bundles.count >= 9)
        #expect((bundles.first as NSString?)?.lastPathComponent == "astronaut")
        for b in bundles {
            let s = try SampleLoader.load(b)
            #expect(s.tokenSet.tokens.rows == s.tokenSet.layout.count)
        }
        let video = try SampleLoader.load(root.appendingPathComponent("Samples/big-buck-bunny").path)
        #expect(video.tokenSet.layout == .video(frames: 8, height: 24, width: 24))
        let text = try SampleLoader.load(root.appendingPathComponent("Samples/gettysburg-address").path)
        #expect(text.tokenSet.featureOrigin.hasPrefix("all-MiniLM-L6-v2"))
        #expect(text.tokenSet.tokens.cols == 384)
    }

    /// The photos, the video and the passages carry real encoders' tokens, stored by `deft bundle`
    /// (Samples/bundle.sh) with what made them; the photos and frames are drawn as the padded square
    /// DINOv2 saw; and each sample's weights were trained on those tokens and load in PyTorch strictly:
    /// exactly the reference's state_dict keys, float32, token width 384.
    @Test func theSamplesCarryRealEncoderTokensAndReferenceWeights() throws {
        let reference = Set(["sam.mlp.0", "sam.mlp.2", "scoring.mlp_score.0", "scoring.mlp_score.2", "scoring.mlp_score.4",
                             "scoring.reconstruct_gate.0", "rtd.encoder.0", "rtd.encoder.2", "rtd.decoder.0", "rtd.decoder.2",
                             "rtd.reconstruct_gate.0"].flatMap { [$0 + ".weight", $0 + ".bias"] } + ["scoring.mixture_logits"])
        let names = ["astronaut", "cat", "coffee", "deep-field", "rocket", "big-buck-bunny",
                     "gettysburg-address", "declaration-preamble", "tale-of-two-cities"]
        for name in names {
            let folder = root.appendingPathComponent("Samples/\(name)").path
            let m = try BundleManifest.load(folder: folder)
            let s = try SampleLoader.load(folder)
            let encoder: EncoderName = m.modality == .text ? .miniLML6 : .dinov2S14
            #expect(m.encoder == encoder && m.features == encoder.rawValue + ".safetensors", "\(name)")
            let stored = try SafetensorsFile.load(path: folder + "/" + m.features!)
            #expect(stored.entries["tokens"]?.dtype == "F16", "\(name)")
            #expect(s.tokenSet.featureOrigin.hasPrefix(encoder.displayName), "\(name): \(s.tokenSet.featureOrigin)")
            #expect(s.tokenSet.tokens.cols == 384 && s.tokenSet.tokens.storage.allSatisfy { $0.isFinite }, "\(name)")
            switch s.media {
            case .image(let i)?:
                #expect(s.tokenSet.layout == .image(height: 24, width: 24) && i.width == 336 && i.height == 336, "\(name)")
            case .video(let f)?:
                #expect(s.tokenSet.layout == .video(frames: 8, height: 24, width: 24) && f.allSatisfy { $0.width == 336 && $0.height == 336 })
            case .text(let d)?:
                // Every wordpiece's span lies inside the passage, in order.
                #expect(zip(d.tokens, d.tokens.dropFirst()).allSatisfy { $0.byteEnd <= $1.byteStart } && (d.tokens.last?.byteEnd ?? 0) <= d.text.utf8.count)
            case nil: Issue.record("\(name) has no media")
            }
            let weights = try SafetensorsFile.load(path: try #require(s.weightsPath))
            #expect(Set(weights.names) == reference, "\(name): \(Set(weights.names).symmetricDifference(reference))")
            #expect(weights.names.allSatisfy { weights.entries[$0]?.dtype == "F32" }, "\(name)")
            #expect(try DeFTModel(stateDict: weights).config.tokenDim == 384, "\(name)")
        }
    }

    @Test func manifestErrorsNameTheProblem() throws {
        let f = folder()
        let manifest = (f as NSString).appendingPathComponent("deft.json")
        write(f, "deft.json", #"{"modality": "audio", "media": "x.wav"}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): unknown modality 'audio' (image, video or text)")
        write(f, "deft.json", #"{"modality": "image", "media": "missing.png"}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): 'missing.png' does not exist in the bundle")
        write(f, "deft.json", #"{"modality": "image", "media": 3}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): 'media' must be a non-empty string")
        write(f, "deft.json", #"{"modality": "image", "media": "a.png", "grid": "24x24"}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): 'grid' must be [H, W] of whole numbers in 1…512")
        write(f, "deft.json", #"{"modality": "image", "media": "a.png", "colour": true}"#)
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): unknown field 'colour'")
        write(f, "deft.json", "[1, 2]")
        #expect(message { _ = try SampleLoader.load(f) } == "\(manifest): the manifest is not a JSON object")
    }

    @Test func featuresWhoseShapeDisagreesSayHow() throws {
        let f = folder()
        let png = try ImageDecoder.encodePNG(RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 9, count: 192)))
        FileManager.default.createFile(atPath: (f as NSString).appendingPathComponent("a.png"), contents: Data(png))
        try Npy.write(Tensor(shape: [10, 4], values: [Float](repeating: 0, count: 40)), to: (f as NSString).appendingPathComponent("feat.npy"))
        write(f, "deft.json", #"{"modality": "image", "media": "a.png", "grid": [3, 3], "features": "feat.npy"}"#)
        let m = message { _ = try SampleLoader.load(f) }
        #expect(m?.hasSuffix("feat.npy: 10 feature rows do not match the 3×3 grid (9 patches)") == true, "\(m ?? "")")
        // A round trip through the writer.
        var manifest = BundleManifest(modality: .image, media: "a.png")
        manifest.grid = GridSize(height: 2, width: 2)
        try manifest.write(folder: f)
        let s = try SampleLoader.load(f)
        #expect(s.tokenSet.layout == .image(height: 2, width: 2) && s.tokenSet.featureOrigin == PatchFeatures.origin)
    }

    @Test func frameFoldersMustBeNonEmptyAndOfOneSize() throws {
        let f = folder()
        #expect(message { _ = try VideoFrames.loadFolder(f) } == "\(f): no PNG, JPEG or PPM frames in the folder")
        FileManager.default.createFile(atPath: (f as NSString).appendingPathComponent("a.ppm"), contents: Data(Array("P6 1 1 255\n".utf8) + [1, 2, 3]))
        FileManager.default.createFile(atPath: (f as NSString).appendingPathComponent("b.ppm"), contents: Data(Array("P6 2 1 255\n".utf8) + [1, 2, 3, 4, 5, 6]))
        #expect(message { _ = try VideoFrames.loadFolder(f) } == "\(f): frames differ in size: a.ppm is 1x1, b.ppm is 2x1")
        #expect(VideoFrames.evenlySpaced(16, 8) == [0, 2, 4, 6, 9, 11, 13, 15])
    }

    /// A 30-frame lossless video whose frames all differ, made by ffmpeg (nil without ffmpeg).
    func madeVideo() throws -> String? {
        guard let ffmpeg = VideoFrames.findOnPath("ffmpeg"), VideoFrames.findOnPath("ffprobe") != nil else { return nil }
        let path = (folder() as NSString).appendingPathComponent("count.mkv")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "30", "-c:v", "ffv1", path]
        try p.run(); p.waitUntilExit()
        return p.terminationStatus == 0 ? path : nil
    }

    @Test func videoFilesDecodeOnlyTheChosenFramesAndTheyAreTheSameFrames() throws {
        guard let video = try madeVideo() else { return }
        #expect(try VideoFrames.frameCount(video) == 30)
        let all = try VideoFrames.loadFile(video, count: nil)
        #expect(all.count == 30)
        let heard = Heard()
        let five = try VideoFrames.loadFile(video, count: 5) { done, wanted in heard.add(done, wanted) }
        #expect(five == VideoFrames.evenlySpaced(30, 5).map { all[$0] })
        #expect(heard.calls == [1, 2, 3, 4, 5].map { [$0, 5] })
    }

    @Test func askingForMoreFramesThanThereAreUsesAllWithANote() throws {
        guard let video = try madeVideo() else { return }
        let sample = try SampleLoader.load(video, options: LoadOptions(frames: 100))
        #expect(sample.tokenSet.layout.frames == 30)
        #expect(sample.notes.count == 1 && sample.notes[0].contains("--frames 100") && sample.notes[0].contains("30 frames"))
        #expect(try SampleLoader.load(video, options: LoadOptions(frames: 4)).notes.isEmpty)
    }

    @Test func aLongLoadReportsDecodingThenEncodingFrameByFrame() throws {
        guard let video = try madeVideo() else { return }
        let heard = HeardProgress()
        let sample = try SampleLoader.load(video, options: LoadOptions(frames: 6, progress: { heard.add($0) }))
        #expect(sample.tokenSet.layout.frames == 6)
        let steps = (1...6).map { ($0, 6) }
        #expect(heard.calls.filter { $0.stage == "decoding" }.map { ($0.done, $0.total) }.elementsEqual(steps, by: ==))
        #expect(heard.calls.filter { $0.stage == "encoding" }.map { ($0.done, $0.total) }.elementsEqual(steps, by: ==))
        // Every frame is decoded before the first is encoded, and frames are what is counted.
        #expect(heard.calls.map(\.stage) == Array(repeating: "decoding", count: 6) + Array(repeating: "encoding", count: 6))
        #expect(heard.calls.allSatisfy { $0.unit == "frame" })
        // An image has no steps to report.
        let still = HeardProgress()
        _ = try SampleLoader.load(root.appendingPathComponent("Samples/astronaut").path,
                                  options: LoadOptions(encoder: .builtin, progress: { still.add($0) }))
        #expect(still.calls.isEmpty)
    }
}

final class HeardProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var heard: [LoadProgress] = []
    var calls: [LoadProgress] { lock.withLock { heard } }
    func add(_ p: LoadProgress) { lock.withLock { heard.append(p) } }
}

final class Heard: @unchecked Sendable {
    private(set) var calls: [[Int]] = []
    func add(_ a: Int, _ b: Int) { calls.append([a, b]) }
}
