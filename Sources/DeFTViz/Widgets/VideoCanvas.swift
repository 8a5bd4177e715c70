import DeFT
import DeFTMedia

/// A strip of frame thumbnails with each frame's kept count, and the cursor's frame enlarged.
/// Frames within ±2 of the cursor's frame (its temporal neighbourhood) are labelled in cyan.
func drawVideo(_ f: inout Frame, _ frames: [RGBImage], layout: TokenLayout,
               place: VideoPlacement, paint: TokenPaint, theme: Theme) {
    let per = layout.tokensPerFrame
    let cursorFrame = paint.cursor / max(per, 1)
    for (t, thumb) in place.thumbs.enumerated() where t < frames.count {
        drawImage(&f, frames[t], thumb, tokenOffset: t * per, paint: paint, theme: theme)
        let kept = paint.isKept[(t * per)..<((t + 1) * per)].filter { $0 }.count
        // The count is never cut (a cut "2:34" would be a wrong number): the frame number goes
        // first, then the label altogether.
        let room = max(thumb.pixelWidth, 1)
        let label = ["\(t + 1):\(kept)", "\(kept)"].first { $0.count <= room } ?? ""
        let near = abs(t - cursorFrame) <= 2 && t != cursorFrame
        let fg: RGB = t == cursorFrame ? Theme.cursor : (near ? Theme.neighbour : Theme.muted)
        let style: CellStyle = t == cursorFrame ? [.bold, .reverse] : (near ? .underline : [])
        f.put(label, x: thumb.origin.x, y: place.strip.y + place.strip.height - 1, fg: theme.c(fg), style: style,
              maxWidth: max(thumb.pixelWidth, 1))
    }
    drawImage(&f, frames[min(cursorFrame, frames.count - 1)], place.main, tokenOffset: cursorFrame * per, paint: paint, theme: theme)
}
