import DeFT
import DeFTEncoders
import Foundation

/// DINOv2-S/14 (all 12 blocks and the final norm) against sgemm alone on exactly its GEMMs — the same
/// shapes, transposes and leading dimensions, run now on the same threads — so the ratio says how much
/// of the forward is spent outside the GEMMs (norms, softmax, GELU, im2col, copies).
enum EncoderBench {
    struct Row: Codable {
        let what: String
        let time: Timing
        let gflop: Double, gflops: Double
        let sgemm: Timing
        /// sgemm time on the forward's GEMMs over the forward's time (median of per-repetition ratios).
        let fractionOfSgemm: Double
    }

    static func measure(quick: Bool, repetitions: Int) -> (rows: [Row], note: String?) {
        let encoder: DINOv2Encoder
        do { encoder = try DINOv2Encoder.installed() } catch {
            return ([], "DINOv2 rows skipped: \(error)")
        }
        let cases: [(String, Int, Int)] = quick ? [("DINOv2 28 px, 1 image (smoke test)", 28, 1)]
            : [("DINOv2 224 px, 1 image", 224, 1), ("DINOv2 336 px, 1 image", 336, 1), ("DINOv2 336 px, 8-frame video", 336, 8)]
        var rows: [Row] = []
        for (what, side, frames) in cases {
            var rng = SplitMix64(seed: 11)
            let pixels = (0..<(frames * 3 * side * side)).map { _ in rng.nextFloat(in: -2...2) }
            let gemms = GemmReplay(weights: encoder.weights, batch: frames, side: side)
            // Forward and bare GEMMs alternate, so a load that drifts during the run hits both alike;
            // the fraction is the median of the per-repetition ratios.
            let (time, sgemm, fraction) = Timing.interleaved(repetitions: repetitions, {
                _ = encoder.forward(pixels: pixels, batch: frames, height: side, width: side, layer: .last)
            }, { gemms.run() })
            rows.append(Row(what: what, time: time, gflop: gemms.flops / 1e9, gflops: gemms.flops / time.medianMs / 1e6,
                            sgemm: sgemm, fractionOfSgemm: fraction))
        }
        return (rows, nil)
    }

    static func table(_ rows: [Row], note: String?) -> [String] {
        func ms(_ t: Timing) -> String { String(format: "%8.1f ms (%.1f–%.1f)", t.medianMs, t.minMs, t.maxMs) }
        var lines = ["", "encoder                        median (min–max)            GFLOP   GFLOP/s   sgemm alone            fraction of sgemm"]
        for r in rows {
            lines.append(String(format: "%-30@ %@ %6.1f %9.1f   %@ %5.0f %%", r.what, ms(r.time), r.gflop, r.gflops, ms(r.sgemm), r.fractionOfSgemm * 100))
        }
        if let note { lines.append(note) }
        return lines
    }
}

/// The GEMMs of one DINOv2 forward on scratch buffers, issued exactly as the forward issues them.
private final class GemmReplay {
    let d: Int, heads: Int, hidden: Int, layers: Int, batch: Int, tokens: Int, patches: Int, k: Int
    var x, wqkv, qkv, wo, context, out, w1, h, w2, patchRows, wp: [Float]

    init(weights: DINOv2Weights, batch: Int, side: Int) {
        d = weights.width; heads = weights.heads; hidden = weights.blocks[0].fc1.outputWidth
        layers = weights.blocks.count; self.batch = batch
        patches = (side / weights.patchSize) * (side / weights.patchSize); tokens = patches + 1
        k = 3 * weights.patchSize * weights.patchSize
        let r = batch * tokens
        x = .init(repeating: 0.5, count: r * d); wqkv = .init(repeating: 0.01, count: 3 * d * d)
        qkv = .init(repeating: 0.1, count: r * 3 * d); wo = .init(repeating: 0.01, count: d * d)
        context = .init(repeating: 0, count: r * d); out = .init(repeating: 0, count: r * d)
        w1 = .init(repeating: 0.01, count: hidden * d); h = .init(repeating: 0.1, count: r * hidden)
        w2 = .init(repeating: 0.01, count: d * hidden); patchRows = .init(repeating: 0.2, count: batch * patches * k)
        wp = .init(repeating: 0.01, count: d * k)
    }

    var flops: Double {
        let r = Double(batch * tokens), t = Double(tokens), dd = Double(d), hd = Double(d / heads)
        let perLayer = 2 * r * dd * (3 * dd) + Double(batch * heads) * 2 * (2 * t * t * hd) + 2 * r * dd * dd
            + 2 * r * dd * Double(hidden) * 2
        return Double(layers) * perLayer + 2 * Double(batch * patches) * dd * Double(k)
    }

    func run() {
        let r = batch * tokens, hd = d / heads
        BLAS.gemm(transA: false, transB: true, m: batch * patches, n: d, k: k, a: patchRows, lda: k, b: wp, ldb: k, c: &out, ldc: d)
        for _ in 0..<layers {
            BLAS.gemm(transA: false, transB: true, m: r, n: 3 * d, k: d, a: x, lda: d, b: wqkv, ldb: d, c: &qkv, ldc: 3 * d)
            TransformerMath.attention(qkv, lengths: Array(repeating: tokens, count: batch), heads: heads, headSize: hd,
                                      scale: 1, into: &context, softmax: false)
            BLAS.gemm(transA: false, transB: true, m: r, n: d, k: d, a: context, lda: d, b: wo, ldb: d, c: &out, ldc: d)
            BLAS.gemm(transA: false, transB: true, m: r, n: hidden, k: d, a: x, lda: d, b: w1, ldb: d, c: &h, ldc: hidden)
            BLAS.gemm(transA: false, transB: true, m: r, n: d, k: hidden, a: h, lda: hidden, b: w2, ldb: hidden, c: &out, ldc: d)
        }
    }
}

