import DeFT
import DeFTMedia
import DeFTTrain
import Foundation

/// `deft bench --long`: the long-input targets, each a fresh `deft` child on a generated input with
/// the built-in weight-free encoders and d′ = 512, timed to exit with its own peak RSS; beside each,
/// the FLOPs it cannot avoid over this machine's sgemm speed, measured in the same run.
enum LongBench {
    struct Row: Codable {
        let what: String
        let seconds: Double, peakRSSMB: Double
        /// CPU time of the child and of what it waited for (ffmpeg): on a shared machine the wall time
        /// is mostly the others' load.
        let cpuSeconds: Double
        let targetSeconds: Double, targetMB: Double
        /// The work that has to be done (GFLOP) and its time at the measured sgemm speed.
        let gflop: Double, ceilingSeconds: Double
        var note: String
        var met: Bool { seconds < targetSeconds && peakRSSMB < targetMB }
    }

    struct Report: Codable {
        let sgemmGflops: Double
        var rows: [Row] = []
    }

    static let semantic = 512

    static func run(json: Bool, quick: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-bench-long-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var report = Report(sgemmGflops: sgemm())
        let g = report.sgemmGflops

        // Text: 100 000 tokens, neighbours on `auto` (approximate above the threshold), recall from the JSON.
        let textTokens = quick ? 3_000 : 100_000
        let text = (dir as NSString).appendingPathComponent("long.txt")
        try words(textTokens).write(toFile: text, atomically: true, encoding: .utf8)
        let reportPath = (dir as NSString).appendingPathComponent("text.json")
        // The targets are stated for the weight-free encoders: the command line's default is the real one.
        let t = try ViewerBench.timedChild(["score", text, "--encoder", "builtin", "--json", reportPath])
        let nb = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath)))) as? [String: Any]
        let neighbours = nb?["neighbours"] as? [String: Any]
        let textShape = BenchShape(name: "text", layout: .text(count: textTokens), dim: TextFeatures.width, semantic: semantic)
        // Exact neighbours alone are N²·d′ multiply-adds (the upper triangle): the ceiling without the IVF.
        let exactGflop = 2 * Double(textTokens) * Double(textTokens) * Double(semantic) / 2 / 1e9
        // What deft does: the forward without the full product, plus the IVF's products (each token
        // against the tokens of its probed cells, every token against the cell centres) and the recall sample.
        let n = Double(textTokens), s = Double(semantic), cells = Double(ApproximateNeighbours.cells(tokens: textTokens))
        let approximate = NeighbourSearch.auto.isApproximate(tokens: textTokens)
            ? 2 * n * Double(ApproximateNeighbours.defaultProbes) * (n / cells) * s + 2 * n * cells * s + 2 * 256 * n * s
            : n * n * s
        let forward = (textShape.flops(mode: .fast) - 2 * n * n * s + approximate) / 1e9
        var textNote = String(format: "exact neighbours alone: %.0f GFLOP = %.1f s at sgemm speed", exactGflop, exactGflop / g)
        if let s = neighbours?["search"] as? String, let r = neighbours?["recall_at_k"] as? Double {
            textNote = "\(s), recall@5 \(String(format: "%.3f", r)) on 256 sampled tokens; " + textNote
        } else {
            textNote = "exact neighbours; " + textNote
        }
        report.rows.append(Row(what: "text, \(textTokens) tokens → scores", seconds: t.ms / 1000, peakRSSMB: t.rssMB, cpuSeconds: t.cpuMs / 1000,
                               targetSeconds: 15, targetMB: 1500, gflop: forward, ceilingSeconds: forward / g, note: textNote))

        // Image: a 512×512 grid of built-in patch features from a features file.
        let side = quick ? 64 : 512
        let features = (dir as NSString).appendingPathComponent("grid.npy")
        var rng = SplitMix64(seed: 3)
        try Npy.write(Tensor(shape: [side * side, PatchFeatures.width],
                             values: (0..<(side * side * PatchFeatures.width)).map { _ in rng.nextFloat(in: 0...1) }), to: features)
        let i = try ViewerBench.timedChild(["score", "--tokens", features, "--modality", "image"])
        let imageShape = BenchShape(name: "image", layout: .image(height: side, width: side), dim: PatchFeatures.width, semantic: semantic)
        let imageGflop = imageShape.flops(mode: .hybrid) / 1e9
        report.rows.append(Row(what: "image, \(side)×\(side) = \(side * side) tokens from a features file → scores",
                               seconds: i.ms / 1000, peakRSSMB: i.rssMB, cpuSeconds: i.cpuMs / 1000, targetSeconds: 10, targetMB: 2000,
                               gflop: imageGflop, ceilingSeconds: imageGflop / g, note: "the forward with the RTD (deft score's default)"))

        // Video: 64 frames of 24×24 patches picked from a 128-frame file, to the viewer's first frame.
        let frames = quick ? 4 : 64
        let video = (dir as NSString).appendingPathComponent("long.mkv")
        if try makeVideo(video, frames: 2 * frames) {
            let v = try ViewerBench.timedChild(["view", video, "--encoder", "builtin", "--frames", "\(frames)", "--grid", "24x24", "--snapshot", "--size", "120x40"])
            let videoShape = BenchShape(name: "video", layout: .video(frames: frames, height: 24, width: 24), dim: PatchFeatures.width, semantic: semantic)
            // The viewer's load: the forward and its default feedback. Above the all-pairs limit that is the
            // reconstruct objective over each token's ≤ 4 temporal neighbours, about 2·5·N·(2d′ + 2d);
            // all pairs would be N²·(6d′ + 4d). The comparison is built on first use, not for the first frame.
            let nv = Double(frames * 576), d = Double(PatchFeatures.width)
            let allPairs = nv * nv * (6 * s + 4 * d)
            let local = frames * 576 > ScoringService.allPairsFeedbackLimit
            let reconstruct = local ? 2 * 5 * nv * (2 * s + 2 * d) : allPairs
            let vg = (videoShape.flops(mode: .fast) + reconstruct) / 1e9
            report.rows.append(Row(what: "video, \(frames) frames × 576 tokens from a file → the viewer's first frame",
                                   seconds: v.ms / 1000, peakRSSMB: v.rssMB, cpuSeconds: v.cpuMs / 1000, targetSeconds: 10, targetMB: 2000,
                                   gflop: vg, ceilingSeconds: vg / g,
                                   note: local ? String(format: "decode, encode, score and the feedback from neighbours (all pairs would add %.0f GFLOP)", allPairs / 1e9)
                                               : "decode, encode, score and the all-pairs reconstruct feedback"))
        }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(table(report))
        }
    }

    static func table(_ r: Report) -> String {
        var lines = [String(format: "deft bench --long (built-in encoders, d′ = %d); sgemm now: %.1f GFLOP/s", semantic, r.sgemmGflops), ""]
        lines.append("input".padding(toLength: 66, withPad: " ", startingAt: 0) + "    time     target      CPU   peak RSS   target    met    GFLOP  at sgemm speed")
        for row in r.rows {
            let what = row.what.count < 66 ? row.what.padding(toLength: 66, withPad: " ", startingAt: 0) : row.what
            lines.append(what + String(format: " %7.2f s  < %4.0f s  %6.2f s  %6.0f MB  < %4.0f MB  %@ %7.1f  %6.2f s", row.seconds, row.targetSeconds,
                                       row.cpuSeconds, row.peakRSSMB, row.targetMB, row.met ? "yes " : "no  ", row.gflop, row.ceilingSeconds))
            lines.append("    \(row.note)")
        }
        return lines.joined(separator: "\n")
    }

    /// sgemm's speed on a strip of the similarity kernel's shape (256 × 2048 × 512), median of 5.
    static func sgemm() -> Double {
        let a = Matrix(rows: 2048, cols: semantic, repeating: 0.5), b = Matrix(rows: 2048, cols: semantic, repeating: 0.25)
        var c = Matrix(rows: 2048, cols: 2048)
        let t = Timing.measure(repetitions: 5) { BLAS.gemm(a, b, into: &c, transB: true) }
        return 2 * 2048 * 2048 * Double(semantic) / t.medianMs / 1e6
    }

    /// `count` tokens of made-up prose: words from a fixed syllable set, a comma or full stop now and then.
    static func words(_ count: Int) -> String {
        let syllables = ["ka", "lo", "min", "ter", "sa", "vo", "ri", "qua", "den", "el", "po", "stra", "nu", "fi", "gor", "ha"]
        var rng = SplitMix64(seed: 11)
        var out = "", made = 0
        out.reserveCapacity(count * 6)
        while made < count {
            let n = 1 + Int(rng.next() % 3)
            var w = ""
            for _ in 0..<n { w += syllables[Int(rng.next() % UInt64(syllables.count))] }
            if rng.next() % 9 == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
            out += w; made += 1
            if made < count, rng.next() % 12 == 0 { out += rng.next() % 2 == 0 ? "," : "."; made += 1 }
            out += rng.next() % 15 == 0 ? "\n" : " "
        }
        return out
    }

    /// A test-pattern video of `frames` frames (false when ffmpeg is missing).
    static func makeVideo(_ path: String, frames: Int) throws -> Bool {
        guard let ffmpeg = VideoFrames.findOnPath("ffmpeg") else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-frames:v", "\(frames)",
                       "-c:v", "ffv1", path]
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw DeFTError("deft bench --long", "ffmpeg could not make the test video") }
        return true
    }
}
