import DeFT
import DeFTEval
import Testing
@testable import DeFTViz

@Suite struct CompareViewTests {
    func press(_ s: AppState, _ text: String) -> AppState {
        text.reduce(s) { update($0, .key(.char($1))).0 }
    }

    @Test func bCyclesThroughEveryBaselineAndBackToDeFTAlone() {
        var s = Fixtures.state()
        var seen: [Method?] = []
        for _ in 0...Method.baselines.count { s = press(s, "b"); seen.append(s.baseline) }
        #expect(seen == Method.baselines.map { Optional($0) } + [nil])
        s = press(s, "B")
        #expect(s.baseline == .tome)
        #expect(press(s, "g").showCurves && !press(press(s, "g"), "g").showCurves)
    }

    @Test func splitViewShowsBothMethodsTheirFidelityAndTheDisagreements() {
        var s = Fixtures.state(width: 140, height: 40)
        s.baseline = .uniform
        let f = view(s)
        #expect(f.text.contains("DeFT · err"))
        #expect(f.text.contains("uniform · err"))
        let cmp = Fixtures.image.comparison!
        let differ = zip(cmp.reduction(.deft, ratio: s.ratio).isKept, cmp.reduction(.uniform, ratio: s.ratio).isKept).filter { $0 != $1 }.count
        #expect(differ > 0)
        #expect(f.text.contains("≠ \(differ)"))
        // The disagreeing patches are outlined in the disagreement colour.
        #expect(f.cells.contains { $0.fg == Theme.disagree || $0.bg == Theme.disagree })
        s.baseline = nil
        #expect(!view(s).cells.contains { $0.fg == Theme.disagree || $0.bg == Theme.disagree })
    }

    @Test func toMeIsDrawnAsMergeGroups() {
        var s = Fixtures.state(width: 140, height: 40)
        s.baseline = .tome
        s.ratio = 0.5
        let f = view(s)
        let groups = Fixtures.image.comparison!.reduction(.tome, ratio: 0.5).groupSizes.values.filter { $0 > 1 }.count
        #expect(groups > 0)
        #expect(f.text.contains("\(groups) groups"))
    }

    @Test func aClickInTheRightHalfPicksTheSameTokenAsTheLeft() {
        var s = Fixtures.state(width: 140, height: 40)
        s.baseline = .random
        let screen = ScreenLayout(s)
        let halves = panes(s, screen)
        #expect(halves.count == 2)
        let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: halves[0], grid: (6, 6))
        let x = place.origin.x + 1, y = place.origin.y + 1
        let left = tokenAt(s, x: x, y: y)
        let right = tokenAt(s, x: x + (halves[1].x - halves[0].x), y: y)
        #expect(left != nil && left == right)
    }

    @Test func curvesOverlayPlotsAndLabelsTheMethods() {
        var s = Fixtures.state(width: 120, height: 40)
        s.showCurves = true
        let f = view(s)
        #expect(f.text.contains("fidelity (1 − stand-in error) vs keep ratio"))
        #expect(f.text.contains("DeFT 0."))
        #expect(f.text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        s.unicode = false
        #expect(!view(s).text.unicodeScalars.contains { $0.value >= 0x2800 && $0.value <= 0x28FF })
    }

    @Test func statusEstimatesTheLanguageModelCost() {
        let s = Fixtures.state(width: 200, height: 30)
        let k = s.selection!.k
        let e = s.cost.estimate(visual: 36, kept: k)
        let text = view(s).text
        #expect(text.contains("LLM ≈ \(CostEstimate.flops(e.prefillFLOPs)) · \(CostEstimate.bytes(e.kvBytes)) KV"))
        #expect(text.contains("LLaVA-1.5-7B + 64 text"))
        #expect(text.contains("prefill ≈ \(CostEstimate.flops(e.prefillFLOPs))"))
    }

    @Test func braillePlotLightsTheEndsOfALine() {
        var p = BraillePlot(columns: 1, rows: 1)
        #expect(p.glyph(0, 0, unicode: true) == " ")
        p.line([(x: 0, y: 0), (x: 1, y: 1)], series: 0)
        // Bottom-left dot (0,3) = 0x40 and top-right dot (1,0) = 0x08.
        #expect(p.dots[0] & 0x48 == 0x48)
        #expect(p.glyph(0, 0, unicode: true).unicodeScalars.first!.value == 0x2800 + UInt32(p.dots[0]))
        #expect(p.glyph(0, 0, unicode: false) == "*")
    }
}
