import DeFT
import DeFTEval

// Where things are on screen, shared by `view` (which draws there) and `update` (which hit-tests
// clicks there), so a click always lands on the token drawn under it.

extension ScreenLayout {
    /// The layout of the state's screen: while two images are compared, a narrow terminal's panel
    /// goes to the images.
    init(_ s: AppState) {
        self.init(width: s.width, height: s.height, comparing: s.baseline != nil && s.scored?.comparison != nil)
    }
}

/// The canvas left for the media: all of it, or the part above the retention curves.
func mediaArea(_ s: AppState, _ screen: ScreenLayout) -> Rect {
    guard let curves = curvesArea(s, screen) else { return screen.canvas }
    return Rect(x: screen.canvas.x, y: screen.canvas.y, width: screen.canvas.width, height: screen.canvas.height - curves.height)
}

/// Where the retention curves go: under the media (never over them), about a third of the canvas.
func curvesArea(_ s: AppState, _ screen: ScreenLayout) -> Rect? {
    guard s.showCurves, let scored = s.scored, scored.comparison != nil || scored.accuracyCurve != nil else { return nil }
    // Room for at least four plot rows above the legend, which wraps on a narrow canvas.
    let methods = s.baseline.map { [$0, .deft] } ?? Method.baselines + [.deft]
    let legend = scored.accuracyCurve.map { accuracyLegend($0, ratio: s.ratio) } ?? methods.map { "■ \($0.title) 0.000" }
    let legendRows = legendLines(legend, width: screen.canvas.width - 2).count
    let c = screen.canvas, h = min(max(c.height / 3, 7 + legendRows), 16 + legendRows)
    guard c.height - h >= 6 else { return nil }
    return Rect(x: c.x, y: c.y + c.height - h, width: c.width, height: h)
}

/// The token drawn at a cell, with the same geometry `view` draws with (either half of a split).
func tokenAt(_ s: AppState, x: Int, y: Int) -> Int? {
    guard let scored = s.scored else { return nil }
    let screen = ScreenLayout(s)
    guard !screen.tooSmall else { return nil }
    for pane in panes(s, screen) where pane.contains(x, y) {
        return mediaToken(scored, rect: pane, cursor: s.cursor, x: x, y: y)
    }
    return nil
}

/// Where the media go: the whole canvas, or two equal halves under their titles when comparing
/// (the titles wrap at word boundaries onto as many lines as the narrower half needs).
func panes(_ s: AppState, _ screen: ScreenLayout) -> [Rect] {
    let c = mediaArea(s, screen)
    guard let baseline = s.baseline, let scored = s.scored, let cmp = scored.comparison else { return [c] }
    let half = (c.width - 1) / 2
    let rows = compareTitles(cmp, baseline: baseline, ratio: s.ratio).map { wordWrap($0.text, width: half - 1).count }.max() ?? 1
    return [Rect(x: c.x, y: c.y + rows, width: half, height: c.height - rows),
            Rect(x: c.x + half + 1, y: c.y + rows, width: half, height: c.height - rows)]
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
