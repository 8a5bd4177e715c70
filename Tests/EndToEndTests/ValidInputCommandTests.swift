import Foundation
import Testing

/// `deft bundle` writes what deft reads back, for every label and frame count.
@Suite struct ValidInputCommandTests {
    @Test(arguments: [0, 1, 2])
    func bundleWithLabelAndFramesReopens(_ n: Int) throws {
        let out = DeftBinary.temporaryPath("bundle-\(n)")
        let made = try DeftBinary.run(["bundle", "Samples/big-buck-bunny/frames", "--out", out, "--label", "\(n)", "--frames", "\(max(n, 1))", "--grid", "2x2", "--encoder", "builtin"])
        #expect(made.status == 0, "\(made.stderr)")
        let manifest = try String(contentsOfFile: out + "/deft.json", encoding: .utf8)
        #expect(manifest.contains("\"label\" : \(n)"), "\(manifest)")
        let score = try DeftBinary.run(["score", out])
        #expect(score.status == 0, "\(score.stderr)")
        let view = try DeftBinary.run(["view", out, "--snapshot", "--size", "80x24"])
        #expect(view.status == 0, "\(view.stderr)")
    }

    @Test func aLabelTheManifestWouldRefuseWritesNothing() throws {
        let out = DeftBinary.temporaryPath("negative")
        let r = try DeftBinary.run(["bundle", "Samples/cat/cat.png", "--out", out, "--label=-1"])
        #expect(r.status == 2 && r.stderr == "deft: --label: a class index cannot be negative, got -1\n", "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
