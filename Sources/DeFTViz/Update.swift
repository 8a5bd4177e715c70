import DeFT
import DeFTEval

/// The pure state transition: every key, click, resize, tick and side-effect result. Asks for
/// side effects (quit, load a sample, build a comparison) through `Command`s, each emitted by the
/// branch that needs it; never draws and never computes the pipeline.
public func update(_ state: AppState, _ event: Event) -> (AppState, [Command]) {
    var s = state
    var commands: [Command] = []
    if s.tour != nil, isInput(event) {
        s.tour = nil              // any key or click hands control to the user
        s.note = "tour stopped: the controls are yours (? for help)"
        return (s, [])
    }
    switch event {
    case .resize(let w, let h):
        s.width = max(w, 0); s.height = max(h, 0)
    case .tick:
        guard var tour = s.tour else { break }
        if tour.ticks == 0 {
            let before = (s.current, s.baseline, s.showCurves)
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
        if s.typedRatio != nil { handleTyping(&s, key) } else { handleKey(&s, key, &commands) }
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
        cursor = 0
        guard case .pending(let name, let path) = samples[current] else { return requestComparison() }
        samples[current] = .loading(name: name, path: path)
        return [.load(sampleIndex: current)]
    }

    /// Asks for the current sample's comparison when the screen needs it (a baseline or the curves)
    /// and it is neither built nor on its way.
    mutating func requestComparison() -> [Command] {
        guard baseline != nil || showCurves, let scored, scored.comparison == nil, !comparing.contains(current) else { return [] }
        comparing.insert(current)
        return [.compare(sampleIndex: current)]
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

/// Ratios move in whole percent steps but never leave (0, 1].
func stepRatio(_ r: Double, by percent: Int) -> Double {
    let p = (r * 100).rounded() + Double(percent)
    return min(max(p, 1), 100) / 100
}

private func handleKey(_ s: inout AppState, _ key: Key, _ commands: inout [Command]) {
    s.note = nil
    if s.showHelp {
        if key == .escape || key == .char("?") || key == .function(1) || key == .char("q") { s.showHelp = false }
        return
    }
    let n = s.scored?.scores.count ?? 0
    let layout = s.scored?.scores.layout
    switch key {
    case .char("q"), .function(10), .ctrl("c"): commands.append(.quit)
    case .char("?"), .function(1): s.showHelp = true
    case .char("+"), .char("="): s.ratio = stepRatio(s.ratio, by: 1)
    case .char("-"), .char("_"): s.ratio = stepRatio(s.ratio, by: -1)
    case .pageUp: s.ratio = stepRatio(s.ratio, by: 10)
    case .pageDown: s.ratio = stepRatio(s.ratio, by: -10)
    case .char("r"): s.typedRatio = ""
    case .char("m"):
        let all = InferenceMode.allCases
        s.mode = all[(all.firstIndex(of: s.mode)! + 1) % all.count]
    case .char("c"): s.channel = s.channel.next
    case .char("C"): s.channel = Channel.allCases[(Channel.allCases.firstIndex(of: s.channel)! + Channel.allCases.count - 1) % Channel.allCases.count]
    case .char("o"): s.overlay.toggle()
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
        if let v = Double(text), v > 0, v <= 100 { s.ratio = v / 100 } else { s.note = "keep ratio must be a percentage in (0, 100]" }
        return
    case .char(let ch) where (ch.isNumber || ch == ".") && text.count < 6: text.append(ch)
    default: break
    }
    s.typedRatio = text
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

/// The token drawn at a cell, with the same geometry `view` draws with (either half of a split).
func tokenAt(_ s: AppState, x: Int, y: Int) -> Int? {
    guard let scored = s.scored else { return nil }
    let screen = ScreenLayout(width: s.width, height: s.height)
    guard !screen.tooSmall else { return nil }
    for pane in panes(s, screen) where pane.contains(x, y) {
        return mediaToken(scored, rect: pane, cursor: s.cursor, x: x, y: y)
    }
    return nil
}

/// Where the media go: the whole canvas, or two halves under one title line each when comparing.
func panes(_ s: AppState, _ screen: ScreenLayout) -> [Rect] {
    guard s.baseline != nil, s.scored?.comparison != nil else { return [screen.canvas] }
    let c = screen.canvas, half = (c.width - 1) / 2
    return [Rect(x: c.x, y: c.y + 1, width: half, height: c.height - 1),
            Rect(x: c.x + half + 1, y: c.y + 1, width: c.width - half - 1, height: c.height - 1)]
}

func mediaToken(_ scored: ScoredSample, rect: Rect, cursor: Int, x: Int, y: Int) -> Int? {
    let layout = scored.scores.layout
    switch scored.sample.media {
    case .image(let img)?:
        return ImagePlacement(imageWidth: img.width, imageHeight: img.height, in: rect, grid: (layout.height, layout.width))
            .patch(cellX: x, cellY: y)
    case .video(let frames)?:
        guard let first = frames.first else { return nil }
        let v = VideoPlacement(frame: first, frames: layout.frames, layout: layout, in: rect)
        let frame = cursor / layout.tokensPerFrame
        if let p = v.main.patch(cellX: x, cellY: y) { return frame * layout.tokensPerFrame + p }
        for (t, thumb) in v.thumbs.enumerated() {
            if let p = thumb.patch(cellX: x, cellY: y) { return t * layout.tokensPerFrame + p }
        }
        return nil
    case .text(let doc)?:
        let place = TextPlacement(doc, width: rect.width - 7)
        let top = textScroll(cursorLine: place.spots[safe: cursor]?.line ?? 0, lines: place.lines, height: rect.height)
        let line = y - rect.y + top, col = x - rect.x
        return place.spots.firstIndex { $0.line == line && col >= $0.col && col < $0.col + $0.width }
    case nil:
        return nil
    }
}

/// The first text line shown so that the cursor's line stays visible.
func textScroll(cursorLine: Int, lines: Int, height: Int) -> Int {
    guard lines > height, height > 0 else { return 0 }
    return min(max(0, cursorLine - height / 2), lines - height)
}
