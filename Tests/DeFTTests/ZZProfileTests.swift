import DeFT
import Foundation
import Testing

@Suite struct ZZProfile {
    @Test func phases() throws {
        guard ProcessInfo.processInfo.environment["DEFT_PROFILE"] != nil else { return }
        BLAS.threads = 2
        let layout = TokenLayout.image(height: 24, width: 24)
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 1024, semanticDim: 512), seed: 0)
        var rng = SplitMix64(seed: 1)
        let x = Matrix(rows: 576, cols: 1024, storage: (0..<(576 * 1024)).map { _ in rng.nextFloat(in: -1...1) })
        func t(_ name: String, _ body: () -> Void) {
            for _ in 0..<3 { body() }
            let s = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<20 { body() }
            print(name, Double(DispatchTime.now().uptimeNanoseconds - s) / 20e6, "ms")
        }
        let z = DeFTPipeline.semantic(model, x)
        let sal = DeFTPipeline.saliency(model, z)
        let zn = GroupScore.normalisedRows(z)
        t("total") { _ = try! DeFTPipeline.score(model, tokens: x, batch: 1, layout: layout, reconstruction: false) }
        t("semantic") { _ = DeFTPipeline.semantic(model, x) }
        t("sam1 gemm only") { _ = model.sam1.forward(x) }
        t("saliency") { _ = DeFTPipeline.saliency(model, z) }
        t("normalise") { _ = GroupScore.normalisedRows(z) }
        t("group") { _ = GroupScore.grid(zn: zn, saliency: sal, batch: 1, layout: layout) }
        t("ranking") { _ = DeFTPipeline.ranking(sal) }
        var a = model.score1.forward(z); a.applyReLU()
        var b = model.score2.forward(a); b.applyReLU()
        t("score1") { _ = model.score1.forward(z) }
        t("score2") { _ = model.score2.forward(a) }
        t("score3") { _ = model.score3.forward(b) }
        t("relu") { var c = a; c.applyReLU() }
        let o = model.score3.forward(b)
        t("sigmoid") { _ = o.storage.map(RowStatistics.sigmoid) }
        t("sam2") { _ = model.sam2.forward(a) }
        t("sem relu") { let h = model.sam1.forward(x, relu: true); _ = model.sam2.forward(h) }
        t("sem norelu") { let h = model.sam1.forward(x); _ = model.sam2.forward(h) }
        let hh = model.sam1.forward(x, relu: true)
        t("sam2 on h") { _ = model.sam2.forward(hh) }
        t("sam1+sam2 indep") { _ = model.sam1.forward(x, relu: true); _ = model.sam2.forward(hh) }
        t("chain s1 s2") { _ = model.score1.forward(z); _ = model.score2.forward(a) }
        t("chain s1 relu s2") { var q = model.score1.forward(z); q.applyReLU(); _ = model.score2.forward(q) }
        t("chain s1 s2(dep)") { let q = model.score1.forward(z); _ = model.score2.forward(q) }
        t("chain s1 s2 s3") { let q = model.score1.forward(z); let r = model.score2.forward(q); _ = model.score3.forward(r) }
        BLAS.threads = 1
        t("1T saliency") { _ = DeFTPipeline.saliency(model, z) }
        t("1T score1") { _ = model.score1.forward(z) }
        BLAS.threads = 2
        print(model.score1.weight.rows, model.score1.weight.cols, model.score2.weight.rows, model.score3.weight.cols)
    }
}
