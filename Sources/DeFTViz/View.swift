import DeFT
import DeFTMedia

/// The pure view: the whole screen for a state, as a frame of cells.
public func view(_ state: AppState) -> Frame {
    var f = Frame(width: state.width, height: state.height)
    let theme = Theme(depth: state.depth, unicode: state.unicode)
    let layout = ScreenLayout(width: state.width, height: state.height)
    guard !layout.tooSmall else {
        drawTooSmall(&f, theme: theme)
        return f
    }
    drawStatus(&f, layout.status, state: state, theme: theme)
    drawFooter(&f, layout.footer, state: state, theme: theme)
    switch state.samples[safe: state.current] {
    case .ready(let scored)?:
        let scores = scored.scores
        let selection = scores.selection(ratio: state.ratio, mode: state.mode)
        let cursor = min(max(state.cursor, 0), scores.count - 1)
        let paint = TokenPaint(scores: scores, selection: selection, channel: state.channel, cursor: cursor, overlay: state.overlay)
        switch scored.sample.media {
        case .image(let img)?:
            let l = scores.layout
            drawImage(&f, img, ImagePlacement(imageWidth: img.width, imageHeight: img.height, in: layout.canvas, grid: (l.height, l.width)),
                      tokenOffset: 0, paint: paint, theme: theme)
        case .video(let frames)?:
            if let first = frames.first {
                drawVideo(&f, frames, layout: scores.layout, selection: selection,
                          place: VideoPlacement(frame: first, frames: scores.layout.frames, layout: scores.layout, in: layout.canvas),
                          paint: paint, theme: theme)
            }
        case .text(let doc)?:
            drawText(&f, doc, rect: layout.canvas, paint: paint, theme: theme)
        case nil:
            f.put("no media to draw: scores only", x: layout.canvas.x + 1, y: layout.canvas.y + 1, fg: theme.c(Theme.muted))
        }
        drawPanel(&f, layout.panel, state: state, scored: scored, selection: selection, paint: paint, theme: theme)
    case .pending(let name, _)?:
        f.put("loading \(name)\(theme.ellipsis)", x: layout.canvas.x + 2, y: layout.canvas.y + 1, fg: theme.c(Theme.muted))
    case .failed(let name, let message)?:
        f.put("\(name) could not be opened:", x: layout.canvas.x + 2, y: layout.canvas.y + 1, fg: theme.c(Theme.pruned), style: .bold)
        f.put(message, x: layout.canvas.x + 2, y: layout.canvas.y + 2, fg: theme.c(Theme.text), maxWidth: layout.canvas.width - 3)
    case nil:
        f.put("no samples", x: 2, y: 2)
    }
    if state.showHelp { drawHelp(&f, theme: theme) }
    if !state.unicode { f.transliterateToASCII() }
    return f
}

extension Frame {
    /// Without a UTF-8 locale a wide glyph comes out as garbage: every cell falls back to ASCII.
    mutating func transliterateToASCII() {
        let table: [Character: Character] = [
            "×": "x", "±": "+", "β": "b", "→": ">", "›": ">", "▶": ">", "“": "\"", "”": "\"", "‘": "'", "’": "'",
            "■": "#", "…": ".", "—": "-", "–": "-", "│": "|", "·": ".", "∂": "d", "≤": "<", "≥": ">", "°": "o",
        ]
        for y in 0..<height {
            for x in 0..<width {
                let c = self[x, y]
                if !c.glyph.isASCII { self[x, y].glyph = table[c.glyph] ?? "?" }
            }
        }
    }
}
