import DeFT
import DeFTEncoders
import DeFTViz
import Foundation

/// `deft bench` rows for the text encoder, all-MiniLM-L6-v2 from the model cache: the forward on one
/// window of 128 and of 256 positions ([CLS] + 126 or 254 wordpieces + [SEP]) against sgemm alone on
/// exactly its GEMM shapes, typed text of one full window through tokenizer and forward, and a typed
/// sentence the way the viewer's `t` prompt takes it: encoded and scored by DeFT (target < 80 ms).
enum TextBench {
    struct Row: Codable {
        let positions: Int
        let time: Timing
        let gflop: Double, gflops: Double
        let sgemmGflops: Double, efficiency: Double
    }

    struct Report: Codable {
        let model: String
        var rows: [Row] = []
        /// Text of `typedPieces` wordpieces → tokens: tokenizer and forward.
        var typedText: Timing?
        var typedPieces = 0
        /// One typed sentence → scored sample (MiniLM encode + DeFT score), the viewer's `t` path.
        var typedSentence: Timing?
        var sentencePieces = 0
        /// One cold load of the model folder (vocabulary, config, weights).
        var loadMs: Double?
        /// Why there are no rows (the model is not installed).
        var missing: String?

        var lines: [String] {
            func ms(_ t: Timing) -> String { String(format: "%8.2f ms (%.2f–%.2f)", t.medianMs, t.minMs, t.maxMs) }
            if let m = missing { return ["\ntext encoder: \(m)"] }
            var out = ["\ntext encoder \(model)   median (min–max)              GFLOP   GFLOP/s   sgemm GFLOP/s   efficiency"]
            for r in rows {
                out.append(String(format: "%-20@ %@ %7.2f %9.1f %15.1f %11.0f %%", "\(r.positions) positions", ms(r.time), r.gflop,
                                  r.gflops, r.sgemmGflops, r.efficiency * 100))
            }
            if let t = typedText { out.append("typed text → tokens (\(typedPieces) wordpieces, tokenizer + forward): \(ms(t))") }
            if let t = typedSentence {
                out.append("typed sentence → scored (\(sentencePieces) wordpieces, MiniLM encode + DeFT score, the viewer's t): \(ms(t))   target < 80 ms")
            }
            if let l = loadMs { out.append(String(format: "loading the model folder (vocab.txt, config.json, model.safetensors): %.0f ms", l)) }
            return out
        }
    }

    /// The cache folder the other commands read (`$DEFT_MODELS`, default ~/.cache/deft).
    static var modelDirectory: String {
        let root = ProcessInfo.processInfo.environment["DEFT_MODELS"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/deft").path
        return URL(fileURLWithPath: root).appendingPathComponent(EncoderName.miniLML6.rawValue).path
    }

    static func measure(quick: Bool, repetitions: Int) -> Report {
        let dir = modelDirectory
        var report = Report(model: EncoderName.miniLML6.displayName)
        let encoder: TextEncoder
        let start = DispatchTime.now().uptimeNanoseconds
        do { encoder = try TextEncoder(directory: dir) } catch {
            report.missing = "not measured, \(error) (deft models fetch installs it)"
            return report
        }
        report.loadMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        // Any ids do for timing; these avoid the special tokens.
        let pool = Array(1000..<min(encoder.tokenizer.vocabulary.count, 20_000))
        for positions in quick ? [16, 32] : [128, 256] {
            let ids = (0..<(positions - 2)).map { pool[($0 * 7919) % pool.count] }
            let model = encoder.model, depth = model.config.layers, d = model.config.hiddenSize
            let gemms = model.denseGemmShapes(lengths: [positions], depth: depth)
            let buffers = gemms.map { s in (Matrix(rows: s.m, cols: s.k, repeating: 0.5), Matrix(rows: s.n, cols: s.k, repeating: 0.25)) }
            var outs = gemms.map { Matrix(rows: $0.m, cols: $0.n) }
            let qkv = [Float](repeating: 0.1, count: positions * 3 * d)
            var context = [Float](repeating: 0, count: positions * d)
            let (time, gemmTime, _) = Timing.interleaved(repetitions: repetitions, { _ = encoder.hiddenStates(ids, layer: .last) }, {
                for (i, s) in gemms.enumerated() {
                    BLAS.gemm(buffers[i].0, buffers[i].1, into: &outs[i], transB: true)
                    // Each layer's attention GEMMs follow its QKV product, issued as the forward issues them.
                    if s.n == 3 * d {
                        TransformerMath.attention(qkv, lengths: [positions], heads: model.config.heads, headSize: model.config.headSize,
                                                  scale: 1, into: &context, softmax: false)
                    }
                }
            })
            let flops = gemms.reduce(0.0) { $0 + 2 * Double($1.m) * Double($1.n) * Double($1.k) }
                + model.attentionFlops(lengths: [positions], depth: depth)
            let gflops = flops / time.medianMs / 1e6, sgemm = flops / gemmTime.medianMs / 1e6
            report.rows.append(Row(positions: positions, time: time, gflop: flops / 1e9, gflops: gflops,
                                   sgemmGflops: sgemm, efficiency: gflops / sgemm))
        }
        // Typed text: prose cut at the end of one full window's wordpieces.
        let window = quick ? 30 : encoder.windowLength - 2
        let sentence = "The committee's report, published on Tuesday, says the bridge needs urgent repairs; engineers disagree. "
        let long = String(repeating: sentence, count: window / 8 + 2)
        let pieces = encoder.tokenizer.tokenize(long)
        let text = String(decoding: Array(long.utf8)[..<pieces[window - 1].span.upperBound], as: UTF8.self)
        report.typedPieces = encoder.tokenizer.tokenize(text).count
        report.typedText = Timing.measure(repetitions: repetitions) { _ = encoder.encode(text) }
        // The viewer's path for one typed sentence, through the same loader and scoring service.
        report.sentencePieces = encoder.tokenizer.tokenize(sentence).count
        report.typedSentence = try? Timing.measure(repetitions: repetitions) { _ = try SampleScorer.score(typed: sentence, name: "bench") }
        return report
    }
}
