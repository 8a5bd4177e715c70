import DeFT
import DeFTEval
import DeFTMedia

/// The pure view: the whole screen for a state, as a frame of cells.
public func view(_ state: AppState) -> Frame {
    var f = Frame(width: state.width, height: state.height)
    let theme = Theme(depth: state.depth, unicode: state.unicode, symbols: state.symbols)
    let layout = ScreenLayout(state)
    guard !layout.tooSmall else {
        drawTooSmall(&f, theme: theme)
        return f
    }
    // The selection once per frame: the status line, the canvas and the panel all read this one.
    let selection = state.selection
    drawStatus(&f, layout.status, state: state, selection: selection, theme: theme)
    if !state.snapshot { drawFooter(&f, layout.footer, state: state, theme: theme) }
    switch state.samples[safe: state.current] {
    case .ready(let scored)?:
        let scores = scored.scores
        let selection = selection ?? scores.selection(ratio: state.ratio, mode: state.effectiveMode, perFrame: state.perFrameBudget)
        let cursor = min(max(state.cursor, 0), scores.count - 1)
        var paint = TokenPaint(scores: scores, selection: selection, channel: state.channel, cursor: cursor, overlay: state.overlay)
        if state.snapshot { paint.hideCursor(); paint.plainPrint = state.depth == .none }
        if let baseline = state.baseline, let cmp = scored.comparison {
            drawCompare(&f, panes(state, layout), scored: scored, comparison: cmp, baseline: baseline, state: state,
                        paint: paint, theme: theme)
        } else if pixelCanvasPlacement(state) == nil {
            drawMedia(&f, scored, rect: mediaArea(state, layout), paint: paint, theme: theme)
        }
        if let area = curvesArea(state, layout), let curve = scored.accuracyCurve {
            drawAccuracyCurves(&f, in: area, curve: curve, ratio: state.ratio, theme: theme)
        } else if let area = curvesArea(state, layout), let cmp = scored.comparison {
            drawCurves(&f, in: area, comparison: cmp, baseline: state.baseline, ratio: state.ratio, theme: theme)
        }
        if (state.baseline != nil || (state.showCurves && scored.accuracyCurve == nil)) && scored.comparison == nil {
            f.put(" comparing with the baselines\(theme.ellipsis) ", x: layout.canvas.x + 1, y: layout.canvas.y,
                  fg: theme.c(Theme.muted), style: .reverse)
        }
        drawCanvasLegend(&f, layout.legend, state: state, selection: selection, theme: theme)
        if layout.panel.width > 0 { drawPanel(&f, layout.panel, state: state, scored: scored, selection: selection, paint: paint, theme: theme) }
    case .pending(let name, _)?, .loading(let name, _)?:
        // A first visit can take a second or more (a video decodes and scores thousands of tokens):
        // a moving spinner and what is happening, not a frozen screen.
        let spin: [Character] = theme.unicode ? ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] : ["|", "/", "-", "\\"]
        f.put("\(spin[state.loadingTicks % spin.count]) loading \(name)\(theme.ellipsis)", x: layout.canvas.x + 2, y: layout.canvas.y + 1,
              fg: theme.c(Theme.accent), style: .bold)
        f.put("decoding the media and scoring every token (first visit only)", x: layout.canvas.x + 2, y: layout.canvas.y + 2,
              fg: theme.c(Theme.muted), maxWidth: layout.canvas.width - 3)
    case .failed(let name, let message)?:
        f.put("\(name) could not be opened:", x: layout.canvas.x + 2, y: layout.canvas.y + 1, fg: theme.c(Theme.pruned), style: .bold)
        f.put(message, x: layout.canvas.x + 2, y: layout.canvas.y + 2, fg: theme.c(Theme.text), maxWidth: layout.canvas.width - 3)
    case nil:
        f.put("no samples", x: 2, y: 2)
    }
    if state.showHelp { drawHelp(&f, page: state.helpPage, theme: theme) }
    if !state.unicode { f.transliterateToASCII() }
    return f
}

/// The sample's media (image, video strip, text) in `rect`, painted by `paint`.
func drawMedia(_ f: inout Frame, _ scored: ScoredSample, rect: Rect, paint: TokenPaint, theme: Theme) {
    let l = scored.scores.layout
    switch scored.sample.media {
    case .image(let img)?:
        drawImage(&f, img, ImagePlacement(imageWidth: img.width, imageHeight: img.height, in: rect, grid: (l.height, l.width)),
                  tokenOffset: 0, paint: paint, theme: theme)
    case .video(let frames)?:
        if let first = frames.first {
            drawVideo(&f, frames, layout: l,
                      place: VideoPlacement(frame: first, frames: l.frames, layout: l, in: rect), paint: paint, theme: theme)
        }
    case .text(let doc)?:
        drawText(&f, doc, rect: rect, paint: paint, theme: theme)
    case nil:
        f.put("no media to draw: scores only", x: rect.x + 1, y: rect.y + 1, fg: theme.c(Theme.muted))
    }
}

extension Frame {
    /// Without a UTF-8 locale a wide glyph comes out as garbage: every cell falls back to ASCII.
    mutating func transliterateToASCII() {
        let table: [Character: Character] = [
            "×": "x", "±": "+", "β": "b", "→": ">", "−": "-", "╱": "/", "⠋": "|", "›": ">", "▶": ">", "“": "\"", "”": "\"", "‘": "'", "’": "'",
            "■": "#", "…": ".", "≈": "~", "≠": "!", "—": "-", "–": "-", "│": "|", "·": ".", "∂": "d", "≤": "<", "≥": ">", "°": "o",
        ]
        for y in 0..<height {
            for x in 0..<width {
                let c = self[x, y]
                if !c.glyph.isASCII { self[x, y].glyph = table[c.glyph] ?? "?" }
            }
        }
    }
}
