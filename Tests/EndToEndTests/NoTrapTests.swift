import DeFT
import Foundation
import Testing

/// Sizes from options and files are checked before anything is built: each of these used to end in an
/// overflow trap, a failed allocation or Foundation's "Code=3840"; now each is one line and exit 2.
@Suite struct NoTrapTests {
    static let dir: String = {
        let d = DeftBinary.temporaryPath("notrap")
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let files = [
            "layers.json": #"{"hidden_size": 4096, "num_hidden_layers": 1000000000000000000, "num_attention_heads": 32}"#,
            "hidden.json": #"{"hidden_size": 4611686018427387904, "num_hidden_layers": 2}"#,
            "array.json": "[1, 2]",
            "wide.json": #"{"deft_semantic_dim": 1000000000}"#,
        ]
        for (name, text) in files { FileManager.default.createFile(atPath: "\(d)/\(name)", contents: Data(text.utf8)) }
        return d
    }()

    @Test(arguments: [
        (["score", "Samples/astronaut", "--grid", "100000x100000"], "--grid: a grid of 100000×100000 is more than deft's limit of 262144"),
        (["score", "Samples/astronaut", "--grid", "4611686018427387904x4"], "--grid: a grid of 4611686018427387904×4 is more than deft's limit"),
        (["view", "Samples/astronaut", "--snapshot", "--size", "1000000x1000000"], "--size: 1000000 cells is more than deft's limit of 2000 a side"),
        (["eval", "cost", "--visual", "9223372036854775807"], "--visual: 9223372036854775807 tokens is more than deft's limit"),
        (["eval", "cost", "--text-tokens", "9223372036854775807"], "--text-tokens: 9223372036854775807 tokens is more than deft's limit"),
        (["eval", "cost", "--llm", "DIR/layers.json"], "'num_hidden_layers' is 1000000000000000000, more than deft's limit of 1099511627776"),
        (["eval", "cost", "--llm", "DIR/hidden.json"], "'hidden_size' is 4611686018427387904, more than deft's limit"),
        (["eval", "cost", "--llm", "DIR/array.json"], "array.json: not a JSON object"),
        (["score", "Samples/astronaut", "--config", "DIR/wide.json"], "'deft_semantic_dim' 1000000000 is more than deft's limit of 4096"),
        (["score", "Samples/astronaut", "--config", "DIR/array.json"], "array.json: not a JSON object (a config.json is one object of fields)"),
        (["train", "Samples/astronaut", "--semantic-dim", "1000000000", "--out", "DIR/w.safetensors"], "--semantic-dim: a width of 1000000000 is more than deft's limit"),
        (["score", "Samples/big-buck-bunny/frames", "--frames=-3"], "--frames: must be at least 1, got -3"),
    ])
    func oversizedOptionsAndConfigsAreOneLineErrors(_ args: [String], _ message: String) throws {
        let r = try DeftBinary.run(args.map { $0.replacingOccurrences(of: "DIR", with: Self.dir) })
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("deft: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && !r.stderr.contains("Fatal error"))
    }

    @Test func anInfiniteTemperatureFailsBeforeWritingAnything() throws {
        let out = DeftBinary.temporaryPath("inf.safetensors")
        let r = try DeftBinary.run(["train", "Samples/astronaut", "--temperature", "inf", "--steps", "1", "--out", out])
        #expect(r.status == 2 && r.stderr == "deft: --temperature: must be a positive finite number, got inf\n", "\(r.stderr)")
        let base = String(out.dropLast(".safetensors".count))
        for suffix in [".safetensors", ".train.json", ".csv"] { #expect(!FileManager.default.fileExists(atPath: base + suffix)) }
    }

    @Test func aLossJSONCannotHoldNamesTheValueNotCode3840() throws {
        // Values near Float's limit make the reconstruct loss infinite.
        let tokens = DeftBinary.temporaryPath("huge.npy")
        try Npy.write(Tensor(shape: [16, 8], values: (0..<128).map { $0 % 2 == 0 ? 3e38 : -3e38 }), to: tokens)
        let r = try DeftBinary.run(["score", "--tokens", tokens, "--modality", "text", "--objective", "reconstruct", "--json", "-"])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.contains("cannot write inf at 'objective.loss_"), "\(r.stderr)")
        #expect(!r.stderr.contains("3840"))
    }

    /// The digits weights (d = 33, d′ from the file) with heads that do not fit them.
    @Test func headsThatDoNotFitTheWeightsAreRefused() throws {
        let dir = DeftBinary.temporaryPath("heads")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = "\(dir)/w.safetensors"
        try FileManager.default.copyItem(atPath: DeftBinary.packageRoot.path + "/Samples/digits/weights.safetensors", toPath: w)
        func head(classes: Int, width: Int) throws {
            try SafetensorsFile.write([("classifier.weight", Tensor(shape: [classes, width], values: [Float](repeating: 0.1, count: classes * width))),
                                       ("classifier.bias", Tensor(shape: [classes], values: [Float](repeating: 0, count: classes)))],
                                      to: "\(dir)/w.head.safetensors")
        }
        let args = ["score", "Samples/cat/cat.png", "--encoder", "builtin", "--grid", "12x12", "--weights", w, "--objective", "classify", "--label", "0"]
        try head(classes: 3, width: 5)
        var r = try DeftBinary.run(args)
        #expect(r.status == 2 && r.stderr.contains("w.head.safetensors: the classifier head reads width 5 but w.safetensors has d′ ="), "\(r.stderr)")
        try head(classes: 0, width: 5)
        r = try DeftBinary.run(args)
        #expect(r.status == 2 && r.stderr.contains("the classifier head has no classes"), "\(r.stderr)")
    }

    @Test func bundleLabelsOutsideTheHeadStopTraining() throws {
        let bundle = DeftBinary.temporaryPath("label12")
        var r = try DeftBinary.run(["bundle", "Samples/cat/cat.png", "--out", bundle, "--encoder", "builtin", "--grid", "12x12", "--label", "12"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try DeftBinary.run(["train", bundle, "--objective", "classify", "--init", "Samples/digits/weights.safetensors",
                                "--steps", "1", "--out", DeftBinary.temporaryPath("x.safetensors")])
        #expect(r.status == 2 && r.stderr.contains("label 12 is outside the head's 10 classes"), "\(r.stderr)")
    }
}
