import ArgumentParser
import DeFT
import DeFTMedia
import DeFTTrain
import DeFTViz
import Foundation

/// `deft bench`: speed and memory as ratios measured in one run, so they hold on a noisy machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the engine against sgemm on the same shapes, the viewer's scrub and start-up, memory, training and encoders.",
        discussion: """
        Forward shapes (d′ = 512): image 576×1024 (24×24), video 8×576×1024 (24×24 per frame), text 2048×768.
        Each timing is the median of --repetitions runs after a warm-up, with the spread. Efficiency is the
        forward's GFLOP/s on its necessary FLOPs over sgemm's GFLOP/s on the same GEMM shapes, measured now.
        Run from the repository root so the samples are found (viewer, start-up and memory rows).
        """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Tiny shapes and two repetitions (a smoke test, not a measurement).")
    var quick = false

    @Option(help: "Timed repetitions per measurement.")
    var repetitions: Int = 9

    @Flag(help: "Only the long-input targets: 100 000 text tokens, a 512×512 image grid, a 64-frame video (fresh processes, peak RSS).")
    var long = false

    @Flag(help: "Only the viewer's canvas: a frame after a ratio step and after a cursor step, per symbols and colour depth.")
    var canvas = false
    @Flag(help: "Only the pixel canvas rows (kitty and sixel: a scrub frame's compute, the picture's compose and encode).")
    var pixels = false
    @Flag(help: "Only the real encoders' rows (DINOv2 at 224 and 336 px and an 8-frame video, MiniLM at 128 and 256 positions).")
    var encoders = false

    func run() throws {
        if long { return try LongBench.run(json: json, quick: quick) }
        if pixels {
            guard let p = PixelBench.measure(quick: quick, repetitions: quick ? 2 : max(repetitions, 3)) else {
                throw DeFTError("--pixels", "Samples/astronaut not found: run from the repository root")
            }
            var report = BenchReport(machine: .current)
            report.pixels = p
            print(json ? String(decoding: try ReportJSON.encode(report, source: "deft bench --pixels --json"), as: UTF8.self)
                       : (["deft bench --pixels on \(report.machine.cpu), \(report.machine.cores) cores"] + p.lines).joined(separator: "\n"))
            return
        }
        let reps = quick ? 2 : max(repetitions, 3)
        if canvas {
            let rows = CanvasBench.measure(quick: quick, repetitions: reps)
            return print(json ? String(decoding: try ReportJSON.encode(rows, source: "deft bench --canvas --json"), as: UTF8.self)
                              : CanvasBench.table(rows).joined(separator: "\n"))
        }
        if encoders {
            var report = BenchReport(machine: .current)
            (report.realEncoders, report.realEncodersNote) = EncoderBench.measure(quick: quick, repetitions: reps)
            report.text = TextBench.measure(quick: quick, repetitions: reps)
            return print(json ? String(decoding: try ReportJSON.encode(report, source: "deft bench --encoders --json"), as: UTF8.self)
                              : ((["deft bench --encoders on \(report.machine.cpu), \(report.machine.cores) cores"]
                                  + EncoderBench.table(report.realEncoders, note: report.realEncodersNote) + (report.text?.lines ?? [])).joined(separator: "\n")))
        }
        var report = BenchReport(machine: .current)
        let shapes: [BenchShape] = quick
            ? [.init(name: "image 16×32", layout: .image(height: 4, width: 4), dim: 32, semantic: 32),
               .init(name: "video 2×16×32", layout: .video(frames: 2, height: 4, width: 4), dim: 32, semantic: 32),
               .init(name: "text 64×32", layout: .text(count: 64), dim: 32, semantic: 32)]
            : [.init(name: "image 576×1024", layout: .image(height: 24, width: 24), dim: 1024, semantic: 512),
               .init(name: "video 8×576×1024", layout: .video(frames: 8, height: 24, width: 24), dim: 1024, semantic: 512),
               .init(name: "text 2048×768", layout: .text(count: 2048), dim: 768, semantic: 512)]
        for shape in shapes {
            for mode in [InferenceMode.fast, .hybrid] {
                report.forward.append(try ForwardBench.measure(shape, mode: mode, repetitions: reps))
            }
        }
        report.trainingStep = try ForwardBench.trainingStep(shapes[0], repetitions: reps)
        report.encoder = ForwardBench.encoder(quick: quick, repetitions: reps)
        (report.realEncoders, report.realEncodersNote) = EncoderBench.measure(quick: quick, repetitions: reps)
        report.viewer = try ViewerBench.measure(quick: quick, repetitions: reps)
        report.readerScrub = try ReaderViewBench.measure(repetitions: reps)
        report.text = TextBench.measure(quick: quick, repetitions: reps)
        report.canvas = CanvasBench.measure(quick: quick, repetitions: reps)
        report.pixels = PixelBench.measure(quick: quick, repetitions: reps)
        if json {
            print(String(decoding: try ReportJSON.encode(report, source: "deft bench --json"), as: UTF8.self))
        } else {
            print(report.table())
        }
    }
}

/// The ratio keys of a user's scrub: `+` until the ratio stops moving, then `-` until it stops, so
/// nearly every step reaches a ratio not drawn yet and its canvases are quantised afresh. (The benches
/// once toggled between two ratios, which the viewer's cell cache then served: 0.6 ms a frame against
/// the 6–12 ms of a fresh one.)
struct ScrubWalk {
    private var key: Character = "+"

    mutating func step(_ state: inout AppState) {
        let before = state.ratio
        state = update(state, .key(.char(key))).0
        if state.ratio == before {
            key = key == "+" ? "-" : "+"
            state = update(state, .key(.char(key))).0
        }
    }
}

/// Median and spread of repeated timings, in milliseconds.
struct Timing: Codable {
    let medianMs: Double, minMs: Double, maxMs: Double

    /// Warm-up runs the body until it has taken `warmupMs` (at least twice): one run left the first
    /// case of a bench slowed by cold caches and sleeping BLAS threads (15–28 ms where 8 ms was true).
    static func measure(repetitions: Int, warmupMs: Double = 150, _ body: () throws -> Void) rethrows -> Timing {
        let warmStart = DispatchTime.now().uptimeNanoseconds
        var runs = 0
        while runs < 2 || Double(DispatchTime.now().uptimeNanoseconds - warmStart) / 1e6 < warmupMs {
            try body(); runs += 1
        }
        var t: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            t.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return Timing(sorted: t)
    }

    /// Times `a` and `b` alternately after a warm-up of each, so on a shared machine both see the same
    /// load and their ratio holds (this machine's load drifts by 2× within a run). Also returns the
    /// median of the per-repetition ratios b/a.
    static func interleaved(repetitions: Int, _ a: () -> Void, _ b: () -> Void) -> (Timing, Timing, ratio: Double) {
        a(); b()
        var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
        for _ in 0..<max(repetitions, 1) {
            let x = once(a), y = once(b)
            ta.append(x); tb.append(y); ratios.append(y / x)
        }
        return (Timing(sorted: ta), Timing(sorted: tb), ratios.sorted()[ratios.count / 2])
    }

    /// The viewer's ratio step and a new frame, as a user's scrub makes them (`ScrubWalk`).
    static func scrub(_ state: inout AppState, repetitions: Int) -> Timing {
        var walk = ScrubWalk()
        return measure(repetitions: repetitions) {
            walk.step(&state)
            _ = view(state)
        }
    }

    /// One run of `body`, in milliseconds (for benches that interleave two measurements themselves).
    static func once(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    init(sorted values: [Double]) {
        let v = values.sorted()
        self.init(medianMs: v[v.count / 2], minMs: v.first!, maxMs: v.last!)
    }

    init(medianMs: Double, minMs: Double, maxMs: Double) {
        self.medianMs = medianMs; self.minMs = minMs; self.maxMs = maxMs
    }
}

struct BenchShape {
    let name: String, layout: TokenLayout, dim: Int, semantic: Int

    /// The GEMMs the forward needs, as (m, n, k), and the other FLOPs it must do.
    func gemms(mode: InferenceMode) -> [(Int, Int, Int)] {
        let r = layout.count, d = dim, s = semantic, b = dim / 4
        var g = [(r, s, d), (r, s, s), (r, s, s), (r, s, s)]
        if layout.modality == .text { g.append((r, r, s)) }
        if mode == .hybrid { g += [(r, b, d), (r, b, b), (r, b, b), (r, d, b)] }
        return g
    }

    func flops(mode: InferenceMode) -> Double {
        var f = gemms(mode: mode).reduce(0.0) { $0 + 2 * Double($1.0) * Double($1.1) * Double($1.2) }
        let r = Double(layout.count), s = Double(semantic)
        f += 2 * r * s                                    // the scorer's last layer (d′ → 1)
        if layout.modality != .text {
            f += 2 * s * Double(GroupScore.neighbourPairs(layout).count)   // neighbour cosines
        }
        return f
    }
}

enum ForwardBench {
    struct Row: Codable {
        let shape: String, mode: String
        let time: Timing
        let gflop: Double, gflops: Double
        let sgemmGflops: Double, efficiency: Double
    }

    static func tokens(_ shape: BenchShape, seed: UInt64 = 1) -> Matrix {
        var rng = SplitMix64(seed: seed)
        return Matrix(rows: shape.layout.count, cols: shape.dim,
                      storage: (0..<(shape.layout.count * shape.dim)).map { _ in rng.nextFloat(in: -1...1) })
    }

    static func measure(_ shape: BenchShape, mode: InferenceMode, repetitions: Int) throws -> Row {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: shape.dim, semanticDim: shape.semantic), seed: 0)
        let x = tokens(shape)
        let time = try Timing.measure(repetitions: repetitions) {
            _ = try DeFTPipeline.score(model, tokens: x, batch: 1, layout: shape.layout, reconstruction: mode == .hybrid)
        }
        // sgemm alone on the same shapes, now, on the same threads.
        let gemms = shape.gemms(mode: mode)
        let buffers = gemms.map { (m, n, k) in (Matrix(rows: m, cols: k, repeating: 0.5), Matrix(rows: n, cols: k, repeating: 0.25), Matrix(rows: m, cols: n)) }
        var outs = buffers.map(\.2)
        let gemmTime = Timing.measure(repetitions: repetitions) {
            for i in buffers.indices { BLAS.gemm(buffers[i].0, buffers[i].1, into: &outs[i], transB: true) }
        }
        let gemmFlops = gemms.reduce(0.0) { $0 + 2 * Double($1.0) * Double($1.1) * Double($1.2) }
        let flops = shape.flops(mode: mode)
        let gflops = flops / time.medianMs / 1e6, sgemm = gemmFlops / gemmTime.medianMs / 1e6
        return Row(shape: shape.name, mode: mode.rawValue, time: time, gflop: flops / 1e9, gflops: gflops,
                   sgemmGflops: sgemm, efficiency: gflops / sgemm)
    }

    /// One Adam step of the reconstruct objective on one input of the shape.
    static func trainingStep(_ shape: BenchShape, repetitions: Int) throws -> Timing {
        let data = try TrainingSet(layout: shape.layout, inputs: [tokens(shape)])
        var options = TrainingOptions()
        options.batchSize = 1
        var trainer = Trainer(model: DeFTModel(untrained: DeFTConfig(tokenDim: shape.dim, semanticDim: shape.semantic), seed: 0),
                              objective: ReconstructObjective(), data: data, options: options)
        return Timing.measure(repetitions: repetitions) { trainer.step() }
    }

    struct EncoderRow: Codable {
        let what: String
        let encoder: Timing, engine: Timing
        let encoderOverEngine: Double
    }

    /// The built-in patch encoder on a 336×336 photo at 24×24, against the engine on its tokens.
    static func encoder(quick: Bool, repetitions: Int) -> EncoderRow {
        let side = quick ? 48 : 336, grid = quick ? 4 : 24
        var rng = SplitMix64(seed: 7)
        let image = RGBImage(width: side, height: side, pixels: (0..<(side * side * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        var tokens = Matrix(rows: 0, cols: 0)
        let enc = Timing.measure(repetitions: repetitions) { tokens = PatchFeatures.encode(image, gridHeight: grid, gridWidth: grid) }
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: PatchFeatures.width, semanticDim: quick ? 32 : 512), seed: 0)
        let engine = Timing.measure(repetitions: repetitions) {
            _ = try? DeFTPipeline.score(model, tokens: tokens, batch: 1, layout: .image(height: grid, width: grid))
        }
        return EncoderRow(what: "\(side)×\(side) photo → \(grid)×\(grid) built-in patch features", encoder: enc, engine: engine,
                          encoderOverEngine: enc.medianMs / engine.medianMs)
    }
}

enum ViewerBench {
    struct Row: Codable {
        let sample: String
        let tokens: Int
        /// A ratio step: re-select from the cached ranking and compose a 120×40 frame.
        let scrubCompose: Timing
        /// Open the video, encode and score it, up to the state its first frame is drawn from.
        let loadToFirstFrame: Timing
        let coldStartFirstFrameMs: Double?
        let videoColdStartMs: Double?
        let peakRSSMB: Double?
    }

    static func measure(quick: Bool, repetitions: Int) throws -> Row? {
        // The smoke test takes two frames' built-in features (the bundle's stored DINOv2 tokens are 8 × 576).
        let video = quick ? "Samples/big-buck-bunny/frames" : "Samples/big-buck-bunny", first = "Samples/astronaut"
        guard FileManager.default.fileExists(atPath: video) else { return nil }
        var settings = Viewer.Settings()
        if quick { settings.scorer.load = LoadOptions(grid: GridSize(height: 4, width: 4), frames: 2, encoder: .builtin) }
        var state = Viewer.firstFrameState(paths: [video], names: ["video"], settings: settings, width: 120, height: 40,
                                           depth: .truecolor, unicode: true)
        let load = Timing.measure(repetitions: max(repetitions / 3, 2)) {
            _ = Viewer.firstFrameState(paths: [video], names: ["video"], settings: settings, width: 120, height: 40,
                                       depth: .truecolor, unicode: true)
        }
        guard let n = state.scored?.scores.count else { return nil }
        let scrub = Timing.scrub(&state, repetitions: max(repetitions, 20))
        var cold: Double? = nil, videoCold: Double? = nil, rss: Double? = nil
        if !quick {
            cold = try child(["view", first, "--snapshot", "--size", "120x40"]).ms
            (videoCold, rss) = try child(["view", video, "--snapshot", "--size", "120x40"])
        }
        return Row(sample: video, tokens: n, scrubCompose: scrub, loadToFirstFrame: load, coldStartFirstFrameMs: cold,
                   videoColdStartMs: videoCold, peakRSSMB: rss)
    }

    /// Runs this executable as a child: wall time to exit and the child's peak resident memory.
    /// The peak is the child's own VmHWM, which it reports when DEFT_REPORT_PEAK_RSS is set:
    /// getrusage(RUSAGE_CHILDREN) would count the bench's own memory, which a spawned child
    /// shares until it execs.
    static func child(_ args: [String]) throws -> (ms: Double, rssMB: Double) {
        let t = try timedChild(args)
        return (t.ms, t.rssMB)
    }

    /// `child`, with the CPU time the child and the processes it waited for (ffmpeg) used: on a shared
    /// machine the wall time says as much about the others' load as about deft.
    static func timedChild(_ args: [String]) throws -> (ms: Double, cpuMs: Double, rssMB: Double) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["DEFT_REPORT_PEAK_RSS"] = "1"
        p.environment = env
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        let report = String(decoding: (try? err.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        p.waitUntilExit()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard p.terminationStatus == 0 else { throw DeFTError("deft bench", "deft \(args.joined(separator: " ")) failed") }
        let kb = report.split(separator: "\n").first { $0.hasPrefix("peak-rss-kb ") }.flatMap { Double($0.dropFirst(12)) } ?? .nan
        let cpu = report.split(separator: "\n").first { $0.hasPrefix("cpu-ms ") }.flatMap { Double($0.dropFirst(7)) } ?? .nan
        return (ms, cpu, kb / 1024)
    }

    /// User and system time of this process and of the children it waited for, in ms.
    static func cpuMs() -> Int {
        var own = rusage(), waited = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &waited)
        return [own, waited].reduce(0) { total, u in
            total + (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000
        }
    }

    /// The process's peak resident set (VmHWM) in KiB, from /proc.
    static func peakRSSKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}

struct Machine: Codable {
    let cpu: String, cores: Int, blasCore: String, blasThreads: Int, coretypeEnv: String?
    /// OPENBLAS_THREAD_TIMEOUT as the run saw it (deft sets 20 unless the user chose one).
    let threadTimeoutEnv: String?

    static var current: Machine {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return Machine(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, blasCore: BLAS.coreName,
                       blasThreads: BLAS.threads, coretypeEnv: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
                       threadTimeoutEnv: ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"])
    }
}

struct BenchReport: Codable {
    let machine: Machine
    var forward: [ForwardBench.Row] = []
    var trainingStep: Timing?
    var encoder: ForwardBench.EncoderRow?
    var realEncoders: [EncoderBench.Row] = []
    var realEncodersNote: String?
    var viewer: ViewerBench.Row?
    /// A ratio step on a bundle whose head is a reader (256×384 tokens): the frame includes the reader's answer.
    var readerScrub: Timing?
    var text: TextBench.Report?
    var canvas: [CanvasBench.Row] = []
    var pixels: PixelBench.Report?

    init(machine: Machine) { self.machine = machine }

    func table() -> String {
        func ms(_ t: Timing) -> String { String(format: "%.2f ms (%.2f–%.2f)", t.medianMs, t.minMs, t.maxMs) }
        var lines = ["deft bench on \(machine.cpu), \(machine.cores) cores, OpenBLAS \(machine.blasCore) kernels, \(machine.blasThreads) threads"
                     + (machine.threadTimeoutEnv.map { ", idle threads spin 2^\($0) cycles" } ?? ""), ""]
        var rows = [["forward", "mode", "median (min–max)", "GFLOP", "GFLOP/s", "sgemm GFLOP/s", "efficiency"]]
        for r in forward {
            rows.append([r.shape, r.mode, ms(r.time), String(format: "%.2f", r.gflop), String(format: "%.1f", r.gflops),
                         String(format: "%.1f", r.sgemmGflops), String(format: "%.0f %%", r.efficiency * 100)])
        }
        lines.append(Table.render(rows))
        if let t = trainingStep { lines.append("\none training step (reconstruct, \(forward.first?.shape ?? "")): \(ms(t))") }
        if let e = encoder {
            lines.append("built-in encoder, \(e.what): \(ms(e.encoder)); the engine on its tokens \(ms(e.engine)); ratio \(String(format: "%.2f", e.encoderOverEngine))")
        }
        if let v = viewer {
            lines.append("viewer, \(v.sample) (\(v.tokens) tokens): ratio step → new 120×40 frame \(ms(v.scrubCompose))")
            lines.append("viewer, \(v.sample): load (decode, encode, score) to the first frame's state, in process: \(ms(v.loadToFirstFrame))")
            if let c = v.coldStartFirstFrameMs { lines.append(String(format: "cold start to the first frame (Samples/astronaut, a fresh process): %.0f ms", c)) }
            if let c = v.videoColdStartMs { lines.append(String(format: "cold start to the first frame (\(v.sample), a fresh process): %.0f ms", c)) }
            if let m = v.peakRSSMB { lines.append(String(format: "peak RSS, video sample to its first frame: %.0f MB", m)) }
        }
        if let r = readerScrub { lines.append("viewer, a bundle with a reader head (256 tokens of width 384): ratio step → new 120×40 frame with its answer \(ms(r))") }
        lines += EncoderBench.table(realEncoders, note: realEncodersNote)
        if let t = text { lines += t.lines }
        lines += CanvasBench.table(canvas)
        if let p = pixels { lines += p.lines }
        return lines.joined(separator: "\n")
    }
}
