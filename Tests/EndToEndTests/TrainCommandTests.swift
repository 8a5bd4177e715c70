import DeFT
import Foundation
import Testing

/// `deft train` and `deft score --objective` as a script would use them.
@Suite struct TrainCommandTests {
    let golden = DeftBinary.packageRoot.appendingPathComponent("Tests/DeFTTests/Fixtures/golden").path

    func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// `--init` + `--freeze` + `--gate-cost`: only the gate moves, and the log says what it restores.
    @Test func gateTrainingOnAFrozenModelChangesOnlyTheGate() throws {
        let out = DeftBinary.temporaryPath("gate.safetensors")
        let r = try DeftBinary.run(["train", "Samples/digits", "--objective", "classify", "--init", "Samples/digits/base.safetensors",
                                    "--freeze", "sam,scoring,rtd,classifier", "--gate-cost", "1", "--steps", "5", "--batch", "8",
                                    "--lr", "1e-2", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let before = try SafetensorsFile.load(path: DeftBinary.packageRoot.appendingPathComponent("Samples/digits/base.safetensors").path)
        let after = try SafetensorsFile.load(path: out)
        for name in before.names {
            let changed = try before.floats(name).values != after.floats(name).values
            #expect(changed == name.hasPrefix("scoring.reconstruct_gate."), "\(name) changed: \(changed)")
        }
        let csv = lines(String(out.dropLast(".safetensors".count)) + ".csv")
        #expect(csv.first?.hasSuffix("gate_loss,restored_share") == true)
        #expect(csv.count == 6 && csv.dropFirst().allSatisfy { !$0.hasSuffix(",,") })
        let bad = try DeftBinary.run(["train", "Samples/digits", "--init", "Samples/digits/base.safetensors", "--freeze", "brain",
                                      "--steps", "1", "--out", DeftBinary.temporaryPath("x.safetensors")])
        #expect(bad.status == 2 && bad.stderr.contains("'brain' is not one of"))
    }

    @Test func trainsWritesEveryFileResumesAndScoresWithTheHead() throws {
        let tokens = "\(golden)/image_fast/inputs.safetensors:tokens"
        let labels = DeftBinary.temporaryPath("labels.npy")
        let t = try SafetensorsFile.load(path: "\(golden)/image_fast/inputs.safetensors").floats("tokens")
        let batch = t.shape[0]
        try Npy.write(Tensor(shape: [batch], values: (0..<batch).map { Float($0 % 2) }), to: labels)
        let out = DeftBinary.temporaryPath("w.safetensors")
        let base = String(out.dropLast(".safetensors".count))

        var r = try DeftBinary.run(["train", "--tokens", tokens, "--labels", labels, "--modality", "image",
                                    "--steps", "4", "--batch", "2", "--semantic-dim", "8", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("deft train: 4 steps of classify"))
        for suffix in [".safetensors", ".head.safetensors", ".optimizer.safetensors", ".train.json", ".csv"] {
            #expect(FileManager.default.fileExists(atPath: base + suffix), "missing \(suffix)")
        }
        #expect(lines(base + ".csv").count == 5)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".train.json"))) as? [String: Any])
        #expect(record["objective"] as? String == "classify" && record["steps"] as? Int == 4)
        // Only the reference's keys in the weights, so PyTorch loads them strictly.
        let names = try SafetensorsFile.load(path: out).names
        #expect(!names.contains { $0.hasPrefix("classifier") || $0.hasPrefix("adam") })

        r = try DeftBinary.run(["train", "--tokens", tokens, "--labels", labels, "--modality", "image",
                                "--steps", "6", "--batch", "2", "--semantic-dim", "8", "--out", out, "--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("deft train: 6 steps"))
        #expect(lines(base + ".csv").count == 7)
        r = try DeftBinary.run(["train", "--tokens", tokens, "--modality", "image", "--steps", "6", "--out", out, "--resume"])
        #expect(r.status == 2 && r.stderr.contains("already trained for 6 steps"))

        r = try DeftBinary.run(["score", "--tokens", tokens, "--modality", "image", "--weights", out,
                                "--objective", "classify", "--label", "1", "--json", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let objective = try #require(obj["objective"] as? [String: Any])
        #expect(objective["name"] as? String == "classify")
        #expect((objective["loss_all_tokens"] as? Double ?? -1) > 0)
        let sfb = try #require(obj["s_fb"] as? [[Double]])
        #expect(sfb.allSatisfy { $0.contains { $0 > 0 } })

        r = try DeftBinary.run(["score", "--tokens", tokens, "--modality", "image", "--weights", out, "--objective", "classify", "--label", "7"])
        #expect(r.status == 2 && r.stderr.contains("label 7 is outside the head's 2 classes"))
    }

    @Test func reconstructFeedbackFillsSfbAndAnExplicitGradientWins() throws {
        let g = "\(golden)/image_feedback"
        let common = ["score", "--tokens", "\(g)/inputs.safetensors:tokens", "--weights", "\(g)/weights.safetensors", "--modality", "image", "--json", "-"]
        let own = try DeftBinary.run(common + ["--objective", "reconstruct"])
        let given = try DeftBinary.run(common + ["--objective", "reconstruct", "--grad", "\(g)/inputs.safetensors:grad_z"])
        let plain = try DeftBinary.run(common + ["--grad", "\(g)/inputs.safetensors:grad_z"])
        func sfb(_ r: DeftBinary.Result) throws -> [[Double]] {
            try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["s_fb"] as? [[Double]])
        }
        #expect(try sfb(own).allSatisfy { $0.contains { $0 > 0 } })
        #expect(try sfb(given) == sfb(plain))
        #expect(try sfb(own) != sfb(plain))
    }

    @Test func classifyWithoutLabelsOrHeadSaysSo() throws {
        let r = try DeftBinary.run(["train", "--tokens", "\(golden)/image_fast/inputs.safetensors:tokens", "--modality", "image",
                                    "--objective", "classify", "--out", DeftBinary.temporaryPath("x.safetensors")])
        #expect(r.status == 2 && r.stderr.contains("classify needs labels"))
    }
}

/// `deft bench` runs and speaks JSON; its numbers are not asserted (the machines are shared).
@Suite struct BenchCommandTests {
    @Test func quickBenchEmitsWellFormedJSON() throws {
        let r = try DeftBinary.run(["bench", "--quick", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let forward = try #require(obj["forward"] as? [[String: Any]])
        #expect(forward.count == 6)
        for row in forward {
            for key in ["shape", "mode", "time", "gflop", "gflops", "sgemmGflops", "efficiency"] { #expect(row[key] != nil, "missing \(key)") }
            #expect((row["gflop"] as? Double ?? 0) > 0)
        }
        #expect(obj["trainingStep"] is [String: Any] && obj["encoder"] is [String: Any] && obj["viewer"] is [String: Any])
        // The text encoder's rows, or the one line saying its model is not installed.
        let text = try #require(obj["text"] as? [String: Any])
        #expect((text["rows"] as? [Any])?.count == 2 || text["missing"] is String)
        // The fast kernels are chosen exactly when the CPU has AVX-512.
        let machine = try #require(obj["machine"] as? [String: Any])
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.split(separator: " ").contains(Substring($0)) }
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            #expect((machine["coretypeEnv"] as? String == "SkylakeX") == avx512)
        }
        // OpenBLAS's idle threads spin briefly, so they leave the cores to deft's own parallel passes.
        if ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil {
            #expect(machine["threadTimeoutEnv"] as? String == "20")
        }
    }
}

/// `deft bundle` writes folders that `deft view` and `deft score` open.
@Suite struct BundleCommandTests {
    @Test func bundlesAnImageWithWeightsAndHeadAndRefusesToOverwrite() throws {
        let dir = DeftBinary.temporaryPath("bundle")
        var r = try DeftBinary.run(["bundle", "Samples/cat/cat.png", "--out", dir, "--title", "A cat", "--encoder", "builtin", "--grid", "12x12",
                                    "--weights", "Samples/digits/weights.safetensors", "--label", "3"])
        // The digits weights expect d=33 like the built-in patch features: a valid pairing.
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("144 image tokens"))
        for f in ["deft.json", "cat.png", "weights.safetensors", "weights.head.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)"), "missing \(f)")
        }
        let snap = try DeftBinary.run(["view", dir, "--snapshot", "--size", "120x30"])
        #expect(snap.status == 0, "\(snap.stderr)")
        #expect(snap.stdout.contains("A cat") && snap.stdout.contains("trained "))
        // The bundle's label is not used to rank: the head's own prediction is the target.
        #expect(snap.stdout.contains("classify, own prediction"))
        r = try DeftBinary.run(["bundle", "Samples/cat/cat.png", "--out", dir])
        #expect(r.status == 2 && r.stderr.contains("already holds a bundle"))
        r = try DeftBinary.run(["bundle", "Samples/nothing.png", "--out", DeftBinary.temporaryPath("b2")])
        #expect(r.status == 2 && r.stderr.contains("Samples/nothing.png: no such file or folder"))
    }
}
