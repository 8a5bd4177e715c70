import DeFT
import DeFTMedia
import DeFTTrain
import DeFTViz
import Foundation
import Testing

/// `deft eval accuracy --task … --bundle DIR` writes a viewer bundle, and the viewer opens it with the
/// reader as its head and the run's accuracy curve. Needs Debian's dataset-fashion-mnist (CI installs it).
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
struct AccuracyBundleTests {
    @Test func aTinyRunsBundleOpensWithTheReaderAsHeadAndTheCurve() throws {
        let cache = DeftBinary.temporaryPath("bundle-cache"), dir = DeftBinary.temporaryPath("bundle")
        let args = ["eval", "accuracy", "--task", "fashion-mnist-small", "--encoder", "builtin", "--train", "40", "--test", "10",
                    "--ratios", "0.5,0.25", "--reader-steps", "10", "--deft-steps", "2", "--json", "--bundle", dir]
        let r = try DeftBinary.run(args, environment: ["DEFT_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        // The bundle's curve is exactly the report printed.
        let printed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? NSDictionary
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/accuracy.json"))) as? NSDictionary
        #expect(printed != nil && printed == stored)

        // One item per evaluated image (10 < 50), tokens as float16 [256, d].
        let manifest = try BundleManifest.load(folder: dir)
        let items = try #require(manifest.items)
        #expect(items.count == 10 && manifest.classes == FashionMNIST.classNames && manifest.curve == "accuracy.json")
        let npy = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + items[3].features!))
        #expect(String(decoding: npy.prefix(64), as: UTF8.self).contains("'descr': '<f2'"))
        #expect(try Npy.load(path: dir + "/" + items[3].features!).shape == [256, PatchFeatures.width])
        let test = try FashionMNIST.load(.test)
        #expect(items.map(\.label) == (0..<10).map { test.labels[$0] })
        // DeFT of the ratio nearest 48.2 % (0.5 here).
        #expect(try SafetensorsFile.load(path: dir + "/weights.safetensors").metadata["ratio"] == "0.5")

        // The viewer steps through the items and scores each with the reader as its head.
        let names = try #require(BundleItems.names(dir))
        #expect(names.count == 10 && names[3] == dir + ":3")
        let scored = try SampleScorer.score(names[3])
        #expect(scored.sample.name == "fashion-mnist-small · builtin tokens" && scored.sample.label == items[3].label)
        #expect(scored.feedbackSource == .reader(label: nil))
        #expect(scored.scores.gate != nil, "the reader's per-token logits drive the gate")
        let answers = try #require(scored.answers)
        let reader = try Reader(safetensors: dir + "/weights.reader.safetensors")
        let logits = reader.logits(tokens: scored.sample.tokenSet.tokens, mask: [Float](repeating: 1, count: 256), batch: 1)
        #expect(answers.all.label == (0..<10).max { logits[0, $0] < logits[0, $1] })
        let curve = try #require(scored.accuracyCurve)
        #expect(curve.series.map(\.name) == ["deft", "deft-no-feedback", "deft hybrid", "random", "uniform", "norm", "saliency", "tome"])

        // A frame with the curves shown draws them from the file, and the panel gives the reader's answers.
        var settings = Viewer.Settings()
        settings.curves = true
        let frame = try Viewer.snapshot(paths: names, names: names, settings: settings, width: 140, height: 40)
        #expect(frame.contains("accuracy (%) vs keep ratio · legend at 50.0 % · fashion-mnist-small, 10 test images"), "\(frame)")
        #expect(frame.contains("reader's answer (label: \(FashionMNIST.classNames[items[0].label!]))"), "\(frame)")

        // An item that does not exist is a clear error.
        #expect(throws: DeFTError.self) { try SampleScorer.score(dir + ":10") }
        // A non-bundle folder is refused before the run.
        let bad = try DeftBinary.run(["eval", "accuracy", "--task", "fashion-mnist", "--encoder", "builtin", "--bundle", cache],
                                     environment: ["DEFT_CACHE": cache])
        #expect(bad.status == 2 && bad.stderr.contains("--bundle: ") && bad.stderr.contains("is neither empty nor a bundle"), "\(bad.stderr)")
    }
}
