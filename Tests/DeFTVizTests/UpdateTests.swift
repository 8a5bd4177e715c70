import DeFT
import Testing
@testable import DeFTViz

@Suite struct UpdateTests {
    func apply(_ s: AppState, _ events: [Event]) -> (AppState, [Command]) {
        var state = s, all: [Command] = []
        for e in events { let (n, c) = update(state, e); state = n; all += c }
        return (state, all)
    }
    func keys(_ s: String) -> [Event] { s.map { .key(.char($0)) } }

    @Test func ratioKeysStepAndClamp() {
        var (s, _) = apply(Fixtures.state(), keys("++"))
        #expect(abs(s.ratio - 0.502) < 1e-9)
        (s, _) = apply(s, [.key(.pageDown)])
        #expect(abs(s.ratio - 0.402) < 1e-9)
        (s, _) = apply(s, Array(repeating: .key(.pageUp), count: 9))
        #expect(s.ratio == 1)
        (s, _) = apply(s, Array(repeating: .key(.char("-")), count: 150))
        #expect(s.ratio == 0.01)
        (s, _) = apply(s, [.mouse(MouseEvent(kind: .wheelUp, x: 1, y: 1))])
        #expect(s.ratio == 0.02)
        (s, _) = apply(s, [.mouse(MouseEvent(kind: .wheelDown, x: 1, y: 1))])
        #expect(s.ratio == 0.01)
    }

    @Test func typedRatioAppliesOrCancels() {
        var (s, _) = apply(Fixtures.state(), keys("r25%") + [.key(.enter)])
        #expect(s.ratio == 0.25 && s.typedRatio == nil)
        (s, _) = apply(s, keys("r7") + [.key(.escape)])
        #expect(s.ratio == 0.25 && s.typedRatio == nil)
        (s, _) = apply(s, keys("r500") + [.key(.enter)])
        #expect(s.ratio == 0.25 && s.note != nil)
        (s, _) = apply(s, keys("r0.33") + [.key(.backspace), .key(.enter)])
        #expect(s.ratio == 0.3)
    }

    @Test func modeChannelOverlayCycle() {
        var (s, _) = apply(Fixtures.state(), keys("m"))
        #expect(s.mode == .hybrid)
        (s, _) = apply(s, keys("mm"))
        #expect(s.mode == .fast)
        (s, _) = apply(s, keys("c"))
        #expect(s.channel == .saliency)
        (s, _) = apply(s, keys("C"))
        #expect(s.channel == .combined)
        (s, _) = apply(s, keys("cccc"))
        #expect(s.channel == .rank)
        (s, _) = apply(s, keys("o"))
        #expect(s.overlay)
    }

    @Test func cursorMovesOnTheGridAndStaysInBounds() {
        var (s, _) = apply(Fixtures.state(), [.key(.right), .key(.down)])
        #expect(s.cursor == 7)                     // 6-wide grid: right then one row down
        (s, _) = apply(s, [.key(.char("k")), .key(.char("h")), .key(.char("h"))])
        #expect(s.cursor == 0)
        (s, _) = apply(s, [.key(.end)])
        #expect(s.cursor == 35)
        (s, _) = apply(s, [.key(.right), .key(.char("j"))])
        #expect(s.cursor == 35)
        (s, _) = apply(s, [.key(.home)])
        #expect(s.cursor == 0)
    }

    @Test func videoFrameKeysJumpAFrame() {
        var (s, _) = apply(Fixtures.state(), [.key(.tab)])
        #expect(s.current == 1)
        s.cursor = 0
        (s, _) = apply(s, keys(">>"))
        #expect(s.cursor == 24)
        (s, _) = apply(s, keys("<"))
        #expect(s.cursor == 12)
    }

    @Test func sampleSwitchWrapsAndNumbersJump() {
        var (s, _) = apply(Fixtures.state(), [.key(.backTab)])
        #expect(s.current == 2)
        (s, _) = apply(s, keys("]"))
        #expect(s.current == 0)
        (s, _) = apply(s, keys("2"))
        #expect(s.current == 1)
        (s, _) = apply(s, keys("9"))
        #expect(s.current == 1)
    }

    @Test func switchingToAPendingSampleAsksForALoad() {
        var s = Fixtures.state([Fixtures.image])
        s.samples.append(.pending(name: "later", path: "/x"))
        let (after, commands) = update(s, .key(.tab))
        #expect(after.current == 1 && commands == [.load(sampleIndex: 1)])
    }

    @Test func theComparisonIsAskedForOnFirstUseOnceAndArrivesAsAnEvent() {
        var bare = Fixtures.image
        let built = bare.comparison!
        bare.comparison = nil
        var (s, c) = apply(Fixtures.state([bare]), keys("mc+"))
        #expect(c.isEmpty, "nothing but b, g or their flags needs the baselines")
        (s, c) = apply(s, keys("b"))
        #expect(c == [.compare(sampleIndex: 0)] && s.comparing == [0])
        (s, c) = apply(s, keys("bg"))
        #expect(c.isEmpty, "one request while it is being built")
        (s, c) = apply(s, [.compared(sampleIndex: 0, built)])
        #expect(s.comparing.isEmpty && s.scored?.comparison != nil && c.isEmpty)
        (s, c) = apply(s, keys("bbbbbbg"))
        #expect(c.isEmpty, "built once, then only re-read")
    }

    @Test func loadsAreAnsweredByEventsAndTheTourAsksForTheNextSample() {
        var s = Fixtures.state([Fixtures.image])
        s.samples.append(.pending(name: "later", path: "/x"))
        s.baseline = .uniform
        var c: [Command]
        (s, c) = apply(s, [.key(.tab)])
        #expect(c == [.load(sampleIndex: 1)])
        if case .loading = s.samples[1] {} else { Issue.record("a requested sample is marked loading") }
        (s, c) = apply(s, [.key(.tab), .key(.tab)])
        #expect(c.isEmpty, "a sample already loading is not asked for twice")
        var scored = Fixtures.video
        scored.comparison = nil
        (s, c) = apply(s, [.loaded(sampleIndex: 1, .success(scored))])
        #expect(s.scored?.sample.name == scored.sample.name && c == [.compare(sampleIndex: 1)])
        (s, _) = apply(s, [.loaded(sampleIndex: 0, .failure(LoadFailure("broken")))])
        if case .failed(_, let m) = s.samples[0] { #expect(m == "broken") } else { Issue.record("the failure is shown") }

        // The tour's "next sample" step switches to a pending sample: its load goes out from that tick.
        var t = Fixtures.state([Fixtures.image])
        t.samples.append(.pending(name: "later", path: "/x"))
        t.startTour()
        t.tour?.step = Tour.steps.count - 1
        (t, c) = apply(t, [.tick])
        #expect(t.current == 1 && c == [.load(sampleIndex: 1)])
    }

    @Test func typedTextBecomesANewSampleToEncode() {
        var (s, c) = apply(Fixtures.state([Fixtures.image]), keys("t"))
        #expect(s.typedText == "" && c.isEmpty)
        (s, c) = apply(s, keys("q+Hello, world"))
        #expect(s.typedText == "q+Hello, world" && c.isEmpty, "keys are text while the prompt is open")
        (s, c) = apply(s, [.key(.backspace), .key(.enter)])
        #expect(s.typedText == nil && s.current == 1 && s.samples.count == 2)
        #expect(c == [.scoreText(sampleIndex: 1, text: "q+Hello, worl")])
        if case .loading(let name, _) = s.samples[1] { #expect(name == "typed: q+Hello, worl") } else { Issue.record("the new sample is loading") }
        (s, c) = apply(s, keys("t") + [.key(.escape)])
        #expect(s.typedText == nil && c.isEmpty && s.samples.count == 2)
    }

    @Test func helpQuitAndMouseClick() {
        var (s, c) = apply(Fixtures.state(), keys("?"))
        #expect(s.showHelp && c.isEmpty)
        (s, c) = apply(s, [.key(.escape)])
        #expect(!s.showHelp)
        (_, c) = apply(s, keys("q"))
        #expect(c == [.quit])
        (_, c) = apply(s, [.key(.function(10))])
        #expect(c == [.quit])
        // A click on the image canvas puts the cursor on the patch under it.
        let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: ScreenLayout(width: 80, height: 24).canvas, grid: (6, 6))
        let x = place.origin.x + place.pixelWidth - 1, y = place.origin.y + place.pixelHeight / 2 - 1
        (s, _) = apply(s, [.mouse(MouseEvent(kind: .press, x: x, y: y))])
        #expect(s.cursor == 35)
    }

    @Test func tourAdvancesOnTicksAndAnyKeyStopsIt() {
        var s = Fixtures.state()
        s.startTour()
        #expect(s.wantsTicks)
        (s, _) = apply(s, [.tick])
        #expect(s.ratio == 1 && s.overlay)
        (s, _) = apply(s, Array(repeating: .tick, count: Tour.ticksPerStep * 3))
        #expect(s.ratio < 1)
        (s, _) = apply(s, [.resize(width: 100, height: 30)])
        #expect(s.tour != nil && s.width == 100)
        // The tour shows the comparison and the curves, and puts them away before the next sample.
        var seen: Set<String> = []
        var t = s
        for _ in 0..<(Tour.steps.count * Tour.ticksPerStep) {
            (t, _) = apply(t, [.tick])
            if let b = t.baseline { seen.insert(b.rawValue) }
            if t.showCurves { seen.insert("curves") }
        }
        #expect(seen == ["uniform", "tome", "curves"])
        #expect(t.baseline == nil && !t.showCurves && t.current == (s.current + 1) % t.samples.count)
        (s, _) = apply(s, keys("x"))
        #expect(s.tour == nil && !s.wantsTicks)
    }

    @Test func soakOfRandomEventsKeepsInvariants() {
        var rng = SplitMix64(seed: 2026)
        var s = Fixtures.state()
        let keyPool: [Key] = [.char("+"), .char("-"), .char("m"), .char("c"), .char("o"), .char("r"), .char("5"), .enter, .escape,
                              .char("?"), .tab, .backTab, .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .char(">"),
                              .char("<"), .char("1"), .char("3"), .backspace, .char("h"), .char("j"),
                              .char("b"), .char("B"), .char("g")]
        for step in 0..<4000 {
            let r = Int(rng.next() % 10)
            let e: Event
            if r == 0 {
                e = .resize(width: Int(rng.next() % 300) + 1, height: Int(rng.next() % 100) + 1)
            } else if r == 1 {
                e = .mouse(MouseEvent(kind: [.press, .wheelUp, .wheelDown, .drag][Int(rng.next() % 4)], x: Int(rng.next() % 310), y: Int(rng.next() % 110)))
            } else if r == 2 {
                e = .tick
            } else {
                e = .key(keyPool[Int(rng.next() % UInt64(keyPool.count))])
            }
            (s, _) = update(s, e)
            #expect(s.ratio > 0 && s.ratio <= 1)
            #expect(s.cursor >= 0 && s.cursor < s.scored!.scores.count)
            if step % 40 == 0 {
                let f = view(s)
                #expect(f.width == s.width && f.height == s.height && f.cells.count == s.width * s.height)
            }
        }
    }
}
