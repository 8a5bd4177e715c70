import DeFT
import DeFTEval
import DeFTMedia
import Testing
@testable import DeFTViz

/// What a reviewer watching the demo sees: the key table, the tour, budgets, the gate, the
/// inspector's reason, and small exact renders of the widgets (as ratatui tests widgets).
@Suite struct DemoScreenTests {
    func apply(_ s: AppState, _ events: [Event]) -> (AppState, [Command]) {
        var state = s, all: [Command] = []
        for e in events { let (n, c) = update(state, e); state = n; all += c }
        return (state, all)
    }
    func keys(_ s: String) -> [Event] { s.map { .key(.char($0)) } }

    @Test func theFooterFitsAndKeepsTheMainKeysAt80Columns() {
        #expect(KeyTable.footer(width: 80) == " ? help  q quit  +- ratio  [] sample  b compare  g curves  m mode  c channel")
        for w in [60, 80, 120, 200] {
            let footer = KeyTable.footer(width: w)
            #expect(footer.count <= w)
        }
        #expect(KeyTable.footer(width: 200).contains("e export") && KeyTable.footer(width: 200).contains("x budget"))
        // The footer drawn on a real screen is the table's, at every width.
        let s = Fixtures.state(width: 80, height: 24)
        #expect(view(s).text.split(separator: "\n").last.map(String.init) == KeyTable.footer(width: 80).padding(toLength: 80, withPad: " ", startingAt: 0))
    }

    @Test func theHelpPagesInsteadOfCuttingLinesAt80x24() {
        var s = Fixtures.state(width: 80, height: 24)
        (s, _) = apply(s, keys("?"))
        var seen = ""
        for _ in 0..<helpPages(height: 24) {
            seen += view(s).text
            (s, _) = apply(s, keys("?"))
        }
        #expect(!s.showHelp, "? on the last page closes the help")
        for line in KeyTable.helpLines where !line.isEmpty { #expect(seen.contains(line), "help line cut or missing: \(line)") }
        #expect(seen.contains("e     ") || seen.contains("e  "), "the export key is in the help")
    }

    @Test func statusKeepsTheSampleAt80Columns() {
        var s = Fixtures.state(width: 80, height: 24)
        s.samples[0] = .ready(Fixtures.image)
        let status = view(s).text.split(separator: "\n")[0]
        #expect(status.contains("1/3 synthetic image") && status.contains("keep 48.2 % = 17 of 36") && status.contains("mode fast"))
    }

    @Test func theTourWaitsForItsSampleAndTheStoppingKeyActs() {
        var s = Fixtures.state()
        s.startTour()
        (s, _) = apply(s, [.tick])
        (s, _) = apply(s, keys("?"))
        #expect(s.tour == nil && s.showHelp, "one key stops the tour and opens the help")
        var t = Fixtures.state()
        t.startTour()
        (t, _) = apply(t, [.tick])
        (t, _) = apply(t, keys("+"))
        #expect(t.tour == nil && abs(t.ratio - 1) < 1e-9, "the tour's first step keeps everything; + from 100 % stays at 100 %")
        (t, _) = apply(t, keys("--"))
        #expect(abs(t.ratio - 0.98) < 1e-9)
        // While the shown sample loads the tour stands still (its caption would describe nothing).
        var l = Fixtures.state([Fixtures.image])
        l.samples.append(.loading(name: "later", path: "/x"))
        l.current = 1
        l.startTour()
        (l, _) = apply(l, Array(repeating: .tick, count: Tour.ticksPerStep * 3))
        #expect(l.tour?.step == 0 && l.tour?.ticks == 0 && l.loadingTicks == Tour.ticksPerStep * 3)
        // Steps about the gate are skipped on a sample without one.
        var v = Fixtures.state([Fixtures.video])
        v.startTour()
        var modes: Set<InferenceMode> = []
        for _ in 0..<(Tour.steps.count * Tour.ticksPerStep) { (v, _) = apply(v, [.tick]); modes.insert(v.mode) }
        #expect(modes == [.fast])
    }

    @Test func withoutLogitsHybridAndAdaptiveAreOffAndSaySo() {
        var s = Fixtures.state([Fixtures.video])
        #expect(s.gateUnavailable != nil)
        (s, _) = apply(s, keys("m"))
        #expect(s.mode == .fast && s.note?.contains("no logits") == true)
        s.mode = .hybrid   // as --mode hybrid would
        #expect(s.effectiveMode == .fast && s.selection?.reconstructed.isEmpty == true)
        let t = view(s).text
        #expect(t.contains("mode fast (no gate)") && !t.contains("restored of") && !t.contains("pruned restored"))
        #expect(s.costEstimate(s.selection!).flopsRatio < 0.9)
    }

    @Test func theInspectorShowsTheScoreAsItsPartsAndTheDecision() {
        // Wide enough for the formula on one line (the panel wraps it at word boundaries otherwise).
        let s = Fixtures.state([Fixtures.image], width: 200, height: 50)
        let scores = Fixtures.image.scores
        let i = s.cursor, sel = s.selection!
        let t = view(s).text
        let b = scores.mixture
        #expect(t.contains("s = β_sal·z_sal + β_fb·z_fb + β_grp·z_grp"))
        #expect(t.contains(String(format: "= %.2f·%+.2f + %.2f·%+.2f + %.2f·%+.2f", b[0], scores.saliencyZ[i], b[1], scores.feedbackZ[i], b[2], scores.groupZ[i])))
        let threshold = scores.combined[sel.keptByScore.last!]
        let kept = sel.isKept[i]
        #expect(t.contains(String(format: "= %.3f %@ %.3f → %@", scores.combined[i], kept ? "≥" : "<", threshold, kept ? "KEPT" : "PRUNED")))
        // A KEPT token never shows a reconstruction error.
        var h = Fixtures.state([Fixtures.image], width: 120, height: 40)
        h.mode = .hybrid
        h.cursor = h.selection!.kept[0]
        #expect(!view(h).text.contains("reconstruction error"))
    }

    @Test func theCursorStartsOnTheTopRankedTokenAndJumpKeysMoveIt() {
        var s = Fixtures.state([Fixtures.image, Fixtures.video])
        (s, _) = apply(s, [.key(.tab)])
        #expect(s.cursor == Fixtures.video.scores.ranking[0])
        var p = Fixtures.state([Fixtures.image])
        p.samples.append(.pending(name: "later", path: "/x"))
        (p, _) = apply(p, [.key(.tab), .loaded(sampleIndex: 1, .success(Fixtures.video))])
        #expect(p.cursor == Fixtures.video.scores.ranking[0])
        let sel = s.selection!
        (s, _) = apply(s, keys("P"))
        #expect(!sel.isKept[s.cursor])
        let firstPruned = s.cursor
        (s, _) = apply(s, keys("P"))
        #expect(!sel.isKept[s.cursor] && s.cursor != firstPruned)
        (s, _) = apply(s, keys("K"))
        #expect(sel.isKept[s.cursor])
        (s, _) = apply(s, keys("R"))
        #expect(s.note == "no restored token at this ratio and mode")
    }

    @Test func budgetsStepSymmetricallyAndPresetsAreExact() {
        #expect(abs(stepRatio(0.482, by: 1) - 0.492) < 1e-12 && abs(stepRatio(0.482, by: -1) - 0.472) < 1e-12)
        #expect(abs(stepRatio(stepRatio(0.482, by: 1), by: -1) - 0.482) < 1e-12)
        for (tokens, preset) in zip([192, 128, 64], ratioPresets.dropFirst()) {
            #expect(TokenScores.keepCount(ratio: preset.ratio, tokens: 576) == tokens)
        }
        var s = Fixtures.state()
        var seen: [Double] = []
        for _ in 0..<4 { (s, _) = apply(s, keys("x")); seen.append(s.ratio) }
        let expected: [Double] = [192.0 / 576, 128.0 / 576, 64.0 / 576, DeFTConfig.paperRatio]
        #expect(seen == expected)
        (s, _) = apply(s, keys("xx0"))
        #expect(s.ratio == DeFTConfig.paperRatio)
    }

    @Test func theTypedRatioReadsLikeTheRatioOption() {
        var (s, _) = apply(Fixtures.state(), keys("r0.25") + [.key(.enter)])
        #expect(s.ratio == 0.25)
        (s, _) = apply(s, keys("r48.2%") + [.key(.enter)])
        #expect(abs(s.ratio - 0.482) < 1e-12)
        (s, _) = apply(s, keys("r48.2") + [.key(.enter)])
        #expect(abs(s.ratio - 0.482) < 1e-12 && s.note?.contains("type 0.482 or 48.2%") == true)
        #expect(view(apply(Fixtures.state(), keys("r")).0).text.contains("keep ratio (0.482 or 48.2%) ›"))
    }

    @Test func legendSquaresAreColouredAndTheHistogramStaysInside() {
        var f = Frame(width: 30, height: 1)
        drawLegend(&f, x: 0, y: 0, width: 30, theme: Theme(depth: .truecolor, unicode: true), threshold: true)
        #expect(f.text == "kept ■ pruned ╱ threshold │   ")
        #expect(f[5, 0].fg == Theme.kept && f[14, 0].fg == Theme.pruned)

        let values = ChannelValues((0..<40).map { Float($0 % 7) })
        let isKept = (0..<40).map { $0 % 3 == 0 }
        var h = Frame(width: 14, height: 4)
        drawHistogram(&h, Rect(x: 2, y: 0, width: 10, height: 4), values: values, isKept: isKept, threshold: nil,
                      theme: Theme(depth: .xterm256, unicode: true))
        for y in 0..<4 { for x in [0, 1, 12, 13] { #expect(h[x, y] == .blank, "histogram outside its rect at \(x),\(y)") } }
        #expect(h.cells.allSatisfy { $0.glyph == " " || $0.fg == Theme.kept || $0.fg == Theme.pruned })
    }

    @Test func colourBarEndsSayWhatTheyMean() {
        let s = Fixtures.video.scores
        #expect(Channel.rank.ends(ChannelValues(Channel.rank.values(s)), scores: s) == ("worst \(s.count)", "best 1"))
        if !s.hasFeedback {
            #expect(Channel.feedback.ends(ChannelValues(Channel.feedback.values(s)), scores: s).0 == "no feedback")
        }
    }

    @Test func snapshotsHaveNoFooterOrCursorAndTheCanvasHasALegend() {
        var s = Fixtures.state([Fixtures.image], width: 100, height: 30)
        let live = view(s)
        #expect(live.text.split(separator: "\n")[28].contains("pruned (dim, hatched)"))
        s.snapshot = true
        let f = view(s)
        #expect(!f.text.contains("? help") && !f.text.split(separator: "\n")[28].contains("cursor"))
        // The gradient fixture may hold the cursor's yellow by chance; the outline's cells go.
        func yellow(_ f: Frame) -> Int { f.cells.filter { $0.fg == Theme.cursor || $0.bg == Theme.cursor }.count }
        #expect(yellow(f) + 8 <= yellow(live))
    }

    /// In Unicode the hatch is drawn in the pixels before libchafa (CellRenderingTests); in plain
    /// ASCII it is a glyph.
    @Test func prunedPatchesAreHatchedAtEveryColourDepth() {
        let canvas = ScreenLayout(width: 100, height: 30).canvas
        func hatches(_ f: Frame) -> Int {
            (canvas.y..<(canvas.y + canvas.height)).reduce(0) { n, y in
                n + (canvas.x..<(canvas.x + canvas.width)).filter { f[$0, y].glyph == "/" && f[$0, y].bg != nil }.count
            }
        }
        for depth in [ColorDepth.truecolor, .xterm256, .ansi16, .ansi8] {
            let s = Fixtures.state([Fixtures.image], width: 100, height: 30, depth: depth, unicode: false)
            #expect(hatches(view(s)) > 0, "no hatch at \(depth)")
        }
        var all = Fixtures.state([Fixtures.image], width: 100, height: 30, unicode: false)
        all.ratio = 1
        #expect(hatches(view(all)) == 0, "nothing pruned, nothing hatched")
    }

    @Test func greyTextStaysGreyAtEightColours() {
        #expect([0, 7].contains(TerminalPalette.indexANSI(Theme.muted, count: 8)))
        #expect([7, 8].contains(TerminalPalette.indexANSI(Theme.muted, count: 16)))
        #expect(TerminalPalette.indexANSI(RGB(200, 10, 10), count: 8) == 1)
    }

    @Test func colortermTruecolorPicksTheDirectTerminfo() {
        let all: (String) -> Bool = { _ in true }
        #expect(DirectColour.terminfo(term: "xterm-256color", colorterm: "truecolor", requested: nil, noColor: false, exists: all) == "xterm-direct")
        #expect(DirectColour.terminfo(term: "tmux-256color", colorterm: "24bit", requested: nil, noColor: false, exists: all) == "tmux-direct")
        #expect(DirectColour.terminfo(term: "xterm-256color", colorterm: nil, requested: .truecolor, noColor: false, exists: all) == "xterm-direct")
        #expect(DirectColour.terminfo(term: "xterm-256color", colorterm: "truecolor", requested: nil, noColor: true, exists: all) == nil)
        #expect(DirectColour.terminfo(term: "xterm-256color", colorterm: "truecolor", requested: .xterm256, noColor: false, exists: all) == nil)
        #expect(DirectColour.terminfo(term: "screen-256color", colorterm: "truecolor", requested: nil, noColor: false, exists: all) == nil)
        #expect(DirectColour.terminfo(term: "xterm-256color", colorterm: "truecolor", requested: nil, noColor: false, exists: { _ in false }) == nil)
        #expect(DirectColour.terminfo(term: "xterm-direct", colorterm: "truecolor", requested: nil, noColor: false, exists: all) == nil)
    }

    @Test func compareHeadersWrapWholeAt80x24And200x60() {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            var s = Fixtures.state([Fixtures.image], width: w, height: h)
            s.baseline = .tome
            let t = view(s).text
            let cmp = Fixtures.image.comparison!
            let groups = cmp.reduction(.tome, ratio: s.ratio).groupSizes.values.filter { $0 > 1 }.count
            let fid = cmp.index.fidelity(cmp.reduction(.deft, ratio: s.ratio))
            #expect(t.contains("\(groups) groups") && t.contains("err \(String(format: "%.3f", fid.error))"), "\(w)×\(h):\n\(t)")
            let p = panes(s, ScreenLayout(width: w, height: h))
            #expect(p.count == 2 && p[0].x + p[0].width < p[1].x && p[0].height >= ScreenLayout(width: w, height: h).canvas.height - 3)
        }
    }

    @Test func wordPiecesWrapAsOneWord() {
        let text = "so nobly advanced"
        let doc = TextDocument(text: text, tokens: [TextToken(surface: "so", byteStart: 0, byteEnd: 2),
            TextToken(surface: "no", byteStart: 3, byteEnd: 5), TextToken(surface: "##bly", byteStart: 5, byteEnd: 8),
            TextToken(surface: "advanced", byteStart: 9, byteEnd: 17)])
        let p = TextPlacement(doc, width: 7)
        #expect(p.spots.map { [$0.line, $0.col] } == [[0, 0], [1, 0], [1, 2], [2, 0]])
    }

    @Test func aPlainTextSnapshotMarksPrunedWordsWithDots() {
        var s = Fixtures.state([Fixtures.text], width: 80, height: 24, depth: .none)
        s.snapshot = true
        let t = view(s).text
        let sel = s.selection!
        #expect(t.contains("·"))
        if case .text(let doc)? = Fixtures.text.sample.media, let kept = sel.kept.first(where: { TextPlacement.surface(doc, $0).count > 3 }) {
            #expect(t.contains(TextPlacement.surface(doc, kept)))
        }
    }

    @Test func curvesSitUnderTheMediaAndTheirLegendListsEveryMethod() {
        for (w, h) in [(80, 24), (120, 40)] {
            var s = Fixtures.state([Fixtures.image], width: w, height: h)
            s.showCurves = true
            let screen = ScreenLayout(width: w, height: h)
            let curves = curvesArea(s, screen)!, media = mediaArea(s, screen)
            #expect(media.y + media.height == curves.y, "the curves never cover the media")
            let t = view(s).text
            for m in Method.baselines + [.deft] { #expect(t.contains("■ \(m.title) "), "\(m.title) missing from the legend at \(w)×\(h)") }
        }
    }

    @Test func disagreementMarksAreVisibleButNeverCoverTheImages() {
        for (w, h) in [(120, 40), (200, 60)] {
            var s = Fixtures.state([Fixtures.image], width: w, height: h)
            s.baseline = .uniform
            let f = view(s)
            let marks = f.cells.filter { $0.fg == Theme.disagree || $0.bg == Theme.disagree }.count
            let p = panes(s, ScreenLayout(width: w, height: h))
            #expect(marks > 0 && marks * 10 < p[0].width * p[0].height * 2, "\(marks) marks at \(w)×\(h)")
        }
    }

    @Test func aVideoBudgetIsGlobalOrPerFrame() {
        var s = Fixtures.state([Fixtures.video])
        let l = Fixtures.video.scores.layout
        #expect(view(s).text.contains("of \(l.count) global"))
        (s, _) = apply(s, keys("f"))
        let sel = s.selection!
        let perFrame = (0..<l.frames).map { t in (0..<l.tokensPerFrame).filter { sel.isKept[t * l.tokensPerFrame + $0] }.count }
        #expect(perFrame.reduce(0, +) == sel.k && perFrame.max()! - perFrame.min()! <= 1)
        #expect(sel.keptByScore.count == sel.k && Set(sel.keptByScore) == Set(sel.kept))
        #expect(view(s).text.contains("per frame"))
        // The inspector's comparison holds per frame: a pruned token is below its own frame's worst kept.
        let scores = Fixtures.video.scores
        for t in sel.pruned {
            let frameKept = sel.kept.filter { $0 / l.tokensPerFrame == t / l.tokensPerFrame }.map { scores.combined[$0] }
            if let worst = frameKept.min() { #expect(scores.combined[t] <= worst) }
        }
        var i = Fixtures.state([Fixtures.image])
        (i, _) = apply(i, keys("f"))
        #expect(!i.perFrameBudget && i.note?.contains("not a video") == true)
    }

    @Test func wordsWrapAtSpaces() {
        #expect(wordWrap("so nobly advanced a cause", width: 10) == ["so nobly", "advanced a", "cause"])
        #expect(wordWrap("abcdefghijkl", width: 5) == ["abcde", "fghij", "kl"])
        #expect(wordWrap("", width: 5) == [""])
    }
}
