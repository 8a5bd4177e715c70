/// Where the parts of an image or video figure go, in figure pixels. The PNG and the SVG share it;
/// the SVG asks for room for its text (a title above each panel, a count under each frame, the
/// colour bar's labels), the PNG for none (its text lives in text chunks).
struct FigureGeometry: Equatable {
    static let margin = 12, gap = 16, frameGap = 6, barHeight = 12, barGap = 10
    /// Frames a video strip puts in a row before it wraps, so a strip stays near the page's aspect.
    static let framesPerRowLimit = 4

    /// Integer upscaling for tiny sources (a 28×28 digit): nearest-neighbour, so every source pixel
    /// stays a solid block and the hatching still fits in a patch.
    let scale: Int
    let frameWidth: Int, frameHeight: Int
    let frames: Int, framesPerRow: Int, frameRows: Int
    let titleHeight: Int, labelHeight: Int, barLabelHeight: Int
    let columns: Int, rows: Int
    let panelWidth: Int, panelHeight: Int
    let showsBar: Bool
    let width: Int, height: Int

    init(sourceWidth: Int, sourceHeight: Int, frames: Int, panels: Int, columns: Int, showsBar: Bool, withText: Bool) {
        scale = max(1, 256 / max(sourceWidth, sourceHeight, 1))
        frameWidth = sourceWidth * scale; frameHeight = sourceHeight * scale
        self.frames = max(frames, 1)
        framesPerRow = min(self.frames, frames > 1 ? Self.framesPerRowLimit : 1)
        frameRows = (self.frames + framesPerRow - 1) / framesPerRow
        titleHeight = withText ? 22 : 0
        labelHeight = withText && frames > 1 ? 18 : 0
        barLabelHeight = withText ? 34 : 0
        self.columns = max(1, min(columns, panels))
        rows = (max(panels, 1) + self.columns - 1) / self.columns
        panelWidth = framesPerRow * frameWidth + (framesPerRow - 1) * Self.frameGap
        panelHeight = titleHeight + frameRows * (frameHeight + labelHeight) + (frameRows - 1) * Self.frameGap
        self.showsBar = showsBar
        width = 2 * Self.margin + self.columns * panelWidth + (self.columns - 1) * Self.gap
        height = 2 * Self.margin + rows * panelHeight + (rows - 1) * Self.gap
            + (showsBar ? Self.barGap + Self.barHeight + barLabelHeight : 0)
    }

    /// Top-left of panel i (its title band first, when there is one).
    func panelOrigin(_ i: Int) -> (x: Int, y: Int) {
        (Self.margin + (i % columns) * (panelWidth + Self.gap), Self.margin + (i / columns) * (panelHeight + Self.gap))
    }

    /// Top-left of frame t's pixels in panel i.
    func frameOrigin(panel i: Int, frame t: Int) -> (x: Int, y: Int) {
        let p = panelOrigin(i)
        return (p.x + (t % framesPerRow) * (frameWidth + Self.frameGap),
                p.y + titleHeight + (t / framesPerRow) * (frameHeight + labelHeight + Self.frameGap))
    }

    /// The colour bar: the whole width under the panels.
    var bar: (x: Int, y: Int, width: Int, height: Int) {
        (Self.margin, Self.margin + rows * panelHeight + (rows - 1) * Self.gap + Self.barGap, width - 2 * Self.margin, Self.barHeight)
    }
}
