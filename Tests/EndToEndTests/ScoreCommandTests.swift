import DeFT
import DeFTViz
import Foundation
import Testing

/// `deft score` as a script would use it.
@Suite struct ScoreCommandTests {
    let golden = DeftBinary.packageRoot.appendingPathComponent("Tests/DeFTTests/Fixtures/golden").path

    @Test func jsonReportHasEveryFieldAndMatchesTheGoldenKeptSet() throws {
        let g = "\(golden)/image_hybrid_logits"
        let r = try DeftBinary.run(["score", "--tokens", "\(g)/inputs.safetensors:tokens", "--weights", "\(g)/weights.safetensors",
                                    "--modality", "image", "--ratio", "0.4", "--mode", "hybrid",
                                    "--logits", "\(g)/inputs.safetensors:logits", "--json", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["scores", "s_sem", "s_group", "s_fb", "mixture_weights", "retained_indices", "kept", "pruned_indices",
                    "reconstruct_probs", "reconstructed_indices", "selection_entropy", "k", "mode", "path", "weights"] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        #expect(obj["k"] as? Int == 10)
        let kept = try #require(obj["kept"] as? [[Int]])
        #expect(kept.count == 2 && kept.allSatisfy { $0.count == 10 && $0 == $0.sorted() })
        let pruned = try #require(obj["pruned_indices"] as? [[Int]])
        let probs = try #require(obj["reconstruct_probs"] as? [[Double]])
        #expect(zip(pruned, probs).allSatisfy { $0.count == $1.count })
        let rec = try #require(obj["reconstructed_indices"] as? [[Int]])
        for (b, row) in rec.enumerated() {
            #expect(row.allSatisfy { i in probs[b][pruned[b].firstIndex(of: i)!] > 0.5 })
        }
        #expect((obj["weights"] as? String)?.hasPrefix("trained file ") == true)
    }

    @Test func approximateTextNeighboursReportTheirRecallAndExactOnesDoNot() throws {
        let text = DeftBinary.temporaryPath("neighbours.txt")
        try String(repeating: "the quick brown fox jumps over the lazy dog, and the dog sleeps on. ", count: 40)
            .write(toFile: text, atomically: true, encoding: .utf8)
        let a = try DeftBinary.run(["score", text, "--neighbours", "approximate", "--json", "-"])
        #expect(a.status == 0, "\(a.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let nb = try #require(obj["neighbours"] as? [String: Any])
        let recall = try #require(nb["recall_at_k"] as? Double)
        #expect(recall >= 0 && recall <= 1)
        #expect((nb["search"] as? String)?.contains("faiss IVF") == true)
        let summary = try DeftBinary.run(["score", text, "--neighbours", "approximate"])
        #expect(summary.stdout.contains("recall@5 against exact"))
        let exact = try DeftBinary.run(["score", text, "--json", "-"])
        #expect(exact.status == 0 && !exact.stdout.contains("recall_at_k"))
        let bad = try DeftBinary.run(["score", text, "--neighbours", "fuzzy"])
        #expect(bad.status == 2 && bad.stderr.contains("--neighbours"))
    }

    @Test func withoutWeightsEveryOutputSaysUntrained() throws {
        let r = try DeftBinary.run(["score", "--tokens", "\(golden)/text_fast/inputs.safetensors:tokens", "--modality", "text", "--seed", "4"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("untrained, seed 4"))
        #expect(r.stdout.contains("keep 48.2 % = 14 of 30 text tokens"))
    }

    @Test(arguments: [
        (["score", "--tokens", "/nonexistent.npy", "--modality", "text"], "/nonexistent.npy: cannot read the file"),
        (["score", "--tokens", "Tests/DeFTTests/Fixtures/golden/text_fast/inputs.safetensors:tokens", "--modality", "text", "--ratio", "0"], "--ratio: the keep ratio must be in (0, 1], got 0"),
        (["score", "--tokens", "Tests/DeFTTests/Fixtures/golden/text_fast/inputs.safetensors:tokens", "--modality", "text", "--ratio", "48.2"], "--ratio: the keep ratio must be in (0, 1], got 48.2 (for 48.2 % write 0.482)"),
        (["score", "--modality", "image"], "deft: give an INPUT (image, frames, video, text, bundle) or --tokens PATH[:KEY]"),
    ])
    func badInputIsOneLineAndExitTwo(_ args: [String], _ message: String) throws {
        let r = try DeftBinary.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("deft: "))
        #expect(r.stderr.contains(message))
        #expect(!r.stderr.contains("Fatal error") && r.stdout.isEmpty)
    }

    @Test func ratioAndGridAreValidated() throws {
        let t = "\(golden)/video_fast/inputs.safetensors:tokens"
        let ratio = try DeftBinary.run(["score", "--tokens", t, "--modality", "video", "--grid", "3x3", "--ratio", "1.5"])
        #expect(ratio.status == 2 && ratio.stderr.contains("must be in (0, 1]"))
        let grid = try DeftBinary.run(["score", "--tokens", t, "--modality", "video", "--grid", "5x5"])
        #expect(grid.status == 2 && grid.stderr.contains("36 tokens are not whole frames of 5×5 = 25 patches"))
        let ok = try DeftBinary.run(["score", "--tokens", t, "--modality", "video", "--grid", "3x3"])
        #expect(ok.status == 0 && ok.stdout.contains("of 36 video tokens"))
    }

    @Test func weightsThatDisagreeWithTheTokensAreNamed() throws {
        let r = try DeftBinary.run(["score", "--tokens", "\(golden)/text_fast/inputs.safetensors:tokens", "--modality", "text",
                                    "--weights", "\(golden)/video_fast/weights.safetensors"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tokens have width d=48 but"))
        #expect(r.stderr.contains("expects d=40"))
    }

    @Test func gradientOfTheWrongShapeIsRefused() throws {
        let g = "\(golden)/image_feedback"
        let r = try DeftBinary.run(["score", "--tokens", "\(g)/inputs.safetensors:tokens", "--weights", "\(g)/weights.safetensors",
                                    "--modality", "image", "--grad", "\(g)/inputs.safetensors:tokens"])
        #expect(r.status == 2 && r.stderr.contains("the gradient ∂L/∂z has shape [3, 49, 40], expected"))
        let ok = try DeftBinary.run(["score", "--tokens", "\(g)/inputs.safetensors:tokens", "--weights", "\(g)/weights.safetensors",
                                     "--modality", "image", "--grad", "\(g)/inputs.safetensors:grad_z", "--json", "-"])
        #expect(ok.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        let fb = obj?["s_fb"] as? [[Double]]
        #expect(fb?.flatMap { $0 }.contains { $0 > 0 } == true)
    }
}

/// One ranking for one input whichever command asks: `deft score` on a bundle keeps what the viewer keeps.
@Suite struct OneRankingTests {
    @Test func scoreAndViewAgreeOnTheAstronaut() throws {
        let r = try DeftBinary.run(["score", "Samples/astronaut", "--json", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["feedback"] as? String == "reconstruct")
        let kept = try #require((json["kept"] as? [[Int]])?.first)
        let scored = try SampleScorer.score(DeftBinary.packageRoot.appendingPathComponent("Samples/astronaut").path)
        #expect(scored.feedbackSource == .reconstruct)
        #expect(kept == scored.scores.selection(ratio: DeFTConfig.paperRatio, mode: .fast).kept)
    }
}
