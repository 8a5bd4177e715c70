import DeFT
import DeFTEval

/// The pure state transition: every key, click, resize, tick and side-effect result. Asks for
/// side effects (quit, load a sample, build a comparison) through `Command`s, each emitted by the
/// branch that needs it; never draws and never computes the pipeline.
public func update(_ state: AppState, _ event: Event) -> (AppState, [Command]) {
    var s = state
    var commands: [Command] = []
    if s.tour != nil, isInput(event) {
        // Any key or click hands control to the user, and does what it does: no second key needed.
        s.tour = nil
        var (next, commands) = update(s, event)
        if next.note == nil { next.note = "tour stopped: the controls are yours (? for help)" }
        // Whatever the tour asked for on the screen it leaves (a baseline, the curves) now needs its comparison.
        commands += next.requestComparison()
        return (next, commands)
    }
    switch event {
    case .resize(let w, let h):
        s.width = max(w, 0); s.height = max(h, 0)
    case .tick:
        if case .loading? = s.samples[safe: s.current] { s.loadingTicks += 1 }
        guard var tour = s.tour else { break }
        // The tour waits for the sample it shows: its captions describe a drawn canvas, never "loading".
        if case .loading? = s.samples[safe: s.current] { break }
        if tour.ticks == 0 {
            let before = (s.current, s.baseline, s.showCurves)
            // Steps about the gate are skipped on samples that have none rather than shown doing nothing.
            while Tour.steps[tour.step % Tour.steps.count].needsGate && s.gateUnavailable != nil { tour.step += 1 }
            Tour.steps[tour.step % Tour.steps.count].apply(&s)
            if s.current != before.0 { commands += s.show(sample: s.current) }
            if s.baseline != before.1 || s.showCurves != before.2 { commands += s.requestComparison() }
        }
        tour.ticks += 1
        if tour.ticks >= Tour.ticksPerStep { tour.ticks = 0; tour.step += 1 }
        s.tour = tour
        s.cursor = min(s.cursor, max((s.scored?.scores.count ?? 1) - 1, 0))
    case .mouse(let m):
        handleMouse(&s, m)
    case .key(let key):
        if s.typedRatio != nil { handleTyping(&s, key) }
        else if s.typedText != nil { handleTextTyping(&s, key, &commands) }
        else { handleKey(&s, key, &commands) }
    case .loaded(let i, .success(let scored)):
        s.install(scored, at: i)
        if i == s.current { commands += s.requestComparison() }
    case .loaded(let i, .failure(let failure)):
        s.markFailed(i, message: failure.message)
    case .exported(let message):
        s.note = message
    case .compared(let i, let comparison):
        s.comparing.remove(i)
        guard case .ready(var scored)? = s.samples[safe: i] else { break }
        scored.comparison = comparison
        s.samples[i] = .ready(scored)
    }
    return (s, commands)
}

/// Keys and clicks (what a person does), as opposed to resizes, ticks and results.
private func isInput(_ e: Event) -> Bool {
    switch e {
    case .key, .mouse: return true
    case .resize, .tick, .loaded, .compared, .exported: return false
    }
}

extension AppState {
    /// Makes sample `index` current, asking for its load the first time it is shown.
    mutating func show(sample index: Int) -> [Command] {
        guard !samples.isEmpty else { return [] }
        current = (index % samples.count + samples.count) % samples.count
        cursor = scored?.scores.ranking.first ?? 0
        guard case .pending(let name, let path) = samples[current] else { return requestComparison() }
        samples[current] = .loading(name: name, path: path)
        return [.load(sampleIndex: current)]
    }

    /// Asks for the current sample's comparison when the screen needs it (a baseline or the curves)
    /// and it is neither built nor on its way.
    mutating func requestComparison() -> [Command] {
        guard let scored, baseline != nil || (showCurves && scored.accuracyCurve == nil), scored.comparison == nil,
              !comparing.contains(current) else { return [] }
        comparing.insert(current)
        return [.compare(sampleIndex: current)]
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

/// Ratios move by whole percentage points from wherever they are (48.2 % → 49.2 % or 47.2 %), so
/// `+` then `-` is always the way back; they never leave [1 %, 100 %].
func stepRatio(_ r: Double, by percent: Int) -> Double {
    let p = ((r * 100 + Double(percent)) * 1000).rounded() / 1000
    return min(max(p, min(1, r * 100)), 100) / 100
}

/// The budgets papers state for LLaVA's 576 visual tokens (192, 128 and 64 kept), as ratios of any
/// N, after the paper's 48.2 %.
let ratioPresets: [(label: String, ratio: Double)] = [
    ("the paper's 48.2 %", DeFTConfig.paperRatio),
    ("192 of 576", 192.0 / 576), ("128 of 576", 128.0 / 576), ("64 of 576", 64.0 / 576),
]

/// The next preset below `r` (the largest first after the smallest).
func nextPreset(after r: Double) -> (label: String, ratio: Double) {
    ratioPresets.sorted { $0.ratio > $1.ratio }.first { $0.ratio < r - 1e-9 } ?? ratioPresets.max { $0.ratio < $1.ratio }!
}

/// The next token after `from` (wrapping) that `matches`, or nil when none does.
func nextToken(after from: Int, count n: Int, where matches: (Int) -> Bool) -> Int? {
    guard n > 0 else { return nil }
    return (1...n).lazy.map { (from + $0) % n }.first(where: matches)
}

private func handleKey(_ s: inout AppState, _ key: Key, _ commands: inout [Command]) {
    s.note = nil
    if s.showHelp {
        if key == .char("?") || key == .function(1), s.helpPage + 1 < helpPages(height: s.height) { s.helpPage += 1; return }
        if key == .escape || key == .char("?") || key == .function(1) || key == .char("q") { s.showHelp = false }
        return
    }
    let n = s.scored?.scores.count ?? 0
    let layout = s.scored?.scores.layout
    switch key {
    case .char("q"), .function(10), .ctrl("c"): commands.append(.quit)
    case .char("?"), .function(1): s.showHelp = true; s.helpPage = 0
    case .char("+"), .char("="): s.ratio = stepRatio(s.ratio, by: 1)
    case .char("-"), .char("_"): s.ratio = stepRatio(s.ratio, by: -1)
    case .pageUp: s.ratio = stepRatio(s.ratio, by: 10)
    case .pageDown: s.ratio = stepRatio(s.ratio, by: -10)
    case .char("r"): s.typedRatio = ""
    case .char("t"): s.typedText = ""
    case .char("x"):
        let p = nextPreset(after: s.ratio)
        s.ratio = p.ratio; s.note = "budget: \(p.label) (x: next budget · 0: back to 48.2 %)"
    case .char("0"): s.ratio = DeFTConfig.paperRatio
    case .char("f"):
        if let l = layout, l.modality == .video {
            s.perFrameBudget.toggle()
            s.note = s.perFrameBudget ? "budget per frame: each of the \(l.frames) frames keeps its share" : "budget global: one top-k over the whole clip"
        } else {
            s.note = "f splits a video's budget per frame; this sample is not a video"
        }
    case .char("K"), .char("P"), .char("R"):
        if let sel = s.selection {
            let restored = Set(sel.reconstructed)
            let (what, test): (String, (Int) -> Bool) = key == .char("K") ? ("kept", { sel.isKept[$0] })
                : key == .char("P") ? ("pruned", { !sel.isKept[$0] && !restored.contains($0) }) : ("restored", { restored.contains($0) })
            if let t = nextToken(after: s.cursor, count: n, where: test) { s.cursor = t } else { s.note = "no \(what) token at this ratio and mode" }
        }
    case .char("m"):
        if let why = s.gateUnavailable {
            s.note = "hybrid and adaptive need the gate: \(why)"
        } else {
            let all = InferenceMode.allCases
            s.mode = all[(all.firstIndex(of: s.mode)! + 1) % all.count]
        }
    case .char("c"):
        s.channel = s.channel.next
        if !s.overlay { s.note = "channel: \(s.channel.title), in the panel; o paints it over the canvas" }
    case .char("C"): s.channel = Channel.allCases[(Channel.allCases.firstIndex(of: s.channel)! + Channel.allCases.count - 1) % Channel.allCases.count]
    case .char("o"): s.overlay.toggle()
    case .char("s"):
        s.symbols = s.symbols.next
        s.note = "symbols: \(s.symbols.rawValue) (\(s.symbols.subPixels.x)×\(s.symbols.subPixels.y) pixels a cell)"
    case .char("b"): s.baseline = cycle(s.baseline, by: 1); commands += s.requestComparison()
    case .char("B"): s.baseline = cycle(s.baseline, by: -1); commands += s.requestComparison()
    case .char("g"): s.showCurves.toggle(); commands += s.requestComparison()
    case .char("e"): if s.scored != nil { commands.append(.export) }
    case .tab, .char("]"), .char("n"): commands += s.show(sample: s.current + 1)
    case .backTab, .char("["), .char("p"): commands += s.show(sample: s.current - 1)
    case .char(let ch) where ch.isWholeNumber && ch != "0":
        let i = Int(String(ch))! - 1
        if i < s.samples.count { commands += s.show(sample: i) }
    case .left, .char("h"): s.cursor = max(0, s.cursor - 1)
    case .right, .char("l"): s.cursor = min(max(n - 1, 0), s.cursor + 1)
    case .up, .char("k"): s.cursor = max(0, s.cursor - rowStep(layout))
    case .down, .char("j"): s.cursor = min(max(n - 1, 0), s.cursor + rowStep(layout))
    case .char("<"), .char(","): if let l = layout, l.modality == .video { s.cursor = max(s.cursor % l.tokensPerFrame, s.cursor - l.tokensPerFrame) }
    case .char(">"), .char("."): if let l = layout, l.modality == .video, s.cursor + l.tokensPerFrame < n { s.cursor += l.tokensPerFrame }
    case .home: s.cursor = 0
    case .end: s.cursor = max(n - 1, 0)
    default: break
    }
}

/// Off → each baseline in turn → off.
private func cycle(_ m: Method?, by step: Int) -> Method? {
    let all: [Method?] = [nil] + Method.baselines.map { Optional($0) }
    let i = all.firstIndex(of: m) ?? 0
    return all[(i + step + all.count) % all.count]
}

/// Up/down move a grid row, or ten words in text.
private func rowStep(_ l: TokenLayout?) -> Int {
    guard let l else { return 1 }
    return l.modality == .text ? 10 : l.width
}

private func handleTyping(_ s: inout AppState, _ key: Key) {
    var text = s.typedRatio ?? ""
    switch key {
    case .escape: s.typedRatio = nil; return
    case .backspace: if !text.isEmpty { text.removeLast() }
    case .enter:
        s.typedRatio = nil
        switch parseTypedRatio(text) {
        case .success(let r): s.ratio = r
        case .failure(let problem): s.note = problem.message
        }
        return
    case .char(let ch) where (ch.isNumber || ch == "." || (ch == "%" && !text.contains("%"))) && text.count < 7: text.append(ch)
    default: break
    }
    s.typedRatio = text
}

/// The text prompt: Enter adds the text as a new sample and asks for it to be encoded and scored.
private func handleTextTyping(_ s: inout AppState, _ key: Key, _ commands: inout [Command]) {
    var text = s.typedText ?? ""
    switch key {
    case .escape: s.typedText = nil; return
    case .backspace: if !text.isEmpty { text.removeLast() }
    case .enter:
        s.typedText = nil
        guard text.contains(where: { !$0.isWhitespace }) else { s.note = "nothing typed"; return }
        let name = "typed: " + (text.count > 24 ? String(text.prefix(24)) + "…" : text)
        s.samples.append(.loading(name: name, path: ""))
        s.current = s.samples.count - 1
        s.cursor = 0
        commands.append(.scoreText(sampleIndex: s.current, text: text))
        return
    case .char(let ch) where text.count < 2000: text.append(ch)
    default: break
    }
    s.typedText = text
}

/// The typed ratio, read as `--ratio` reads it: a fraction (0.482), or a percent with its sign (48.2%).
func parseTypedRatio(_ text: String) -> Result<Double, LoadFailure> {
    let percent = text.hasSuffix("%")
    guard let v = Double(percent ? String(text.dropLast()) : text), v > 0 else {
        return .failure(LoadFailure("type a fraction such as 0.482, or a percent such as 48.2%"))
    }
    let r = percent ? v / 100 : v
    guard r <= 1 else {
        return .failure(LoadFailure(percent ? "a keep ratio is at most 100%"
                                            : "\(text) is more than 1: for \(text) % type \(String(format: "%g", v / 100)) or \(text)%"))
    }
    return .success(r)
}

private func handleMouse(_ s: inout AppState, _ m: MouseEvent) {
    switch m.kind {
    case .wheelUp: s.ratio = stepRatio(s.ratio, by: 1)
    case .wheelDown: s.ratio = stepRatio(s.ratio, by: -1)
    case .press, .drag:
        if s.showHelp { s.showHelp = false; return }
        if let t = tokenAt(s, x: m.x, y: m.y) { s.cursor = t }
    case .release: break
    }
}
