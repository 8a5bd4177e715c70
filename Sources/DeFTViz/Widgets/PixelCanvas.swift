import DeFT
import DeFTMedia

/// The image canvas when the terminal draws it in real pixels (kitty or sixel): the cells it covers
/// and what it shows. The cells are exactly those the cell renderer fills (`ImagePlacement`), so a
/// click lands on the patch drawn under it; the view leaves them blank for the picture to cover.
public struct PixelScene: Sendable {
    /// The cells the picture covers.
    public let cells: Rect
    /// What the picture shows: a scene with the same content needs no new image.
    public let content: Content
    private let state: AppState
    private let image: RGBImage

    public struct Content: Equatable, Sendable {
        let sample: Int
        let name: String
        let isKept: [Bool]
        let reconstructed: [Int]
        let channel: Channel
        let overlay: Bool
        let cursor: Int
    }

    init?(_ state: AppState) {
        guard let (image, place) = pixelCanvasPlacement(state), let scored = state.scored, let selection = state.selection else { return nil }
        self.state = state
        self.image = image
        cells = Rect(x: place.origin.x, y: place.origin.y, width: place.pixelWidth, height: place.pixelHeight / 2)
        content = Content(sample: state.current, name: state.samples[state.current].name, isKept: selection.isKept,
                          reconstructed: selection.reconstructed, channel: state.channel, overlay: state.overlay,
                          cursor: min(max(state.cursor, 0), scored.scores.count - 1))
    }

    /// The source picture resampled to `size`, RGB bytes: the part of the picture that stays the same
    /// while the ratio, cursor or overlay change, so the layer keeps it between encodes.
    public func base(_ size: PixelSize) -> [UInt8] {
        Resample.resizedImage(image, width: size.width, height: size.height).pixels
    }

    /// Whether `base` made for `other` serves this scene at the same size.
    public func sharesBase(with other: PixelScene) -> Bool { content.sample == other.content.sample && content.name == other.content.name }

    /// The picture at `size` pixels, RGBA: coloured as the cells colour it (`TokenPaint.pixel`: the
    /// heatmap when the overlay is on, pruned dimmed, restored tinted), pruned patches hatched as in an
    /// exported figure, restored ones outlined, the cursor's patch and its neighbours outlined, and
    /// patch boundaries darkened as the cell canvas darkens them. `base`: this scene's `base(size)`, if kept.
    public func rgba(_ size: PixelSize, base kept: [UInt8]? = nil) -> [UInt8] {
        let w = size.width, h = size.height
        guard w > 0, h > 0, let scored = state.scored, let selection = state.selection else { return [] }
        let base = kept.flatMap { $0.count == w * h * 3 ? $0 : nil } ?? self.base(size)
        let scores = scored.scores, grid = scores.layout
        let paint = TokenPaint(scores: scores, selection: selection, channel: content.channel, cursor: content.cursor, overlay: content.overlay)
        // What each token needs, once per token rather than once per pixel; a kept token without the
        // overlay is its source pixels unchanged.
        enum Mark: UInt8 { case untouched, painted, hatch, restored, neighbour, cursor }
        var marks = [Mark](repeating: .painted, count: scores.count)
        for t in 0..<scores.count {
            if t == paint.cursor { marks[t] = .cursor }
            else if paint.neighbours.contains(t) { marks[t] = .neighbour }
            else if paint.isReconstructed[t] { marks[t] = .restored }
            else if !paint.isKept[t] { marks[t] = .hatch }
            else if !paint.overlay { marks[t] = .untouched }
        }
        let cols = PatchAxis(pixels: w, scale: 1, source: w, patches: grid.width)
        let rows = PatchAxis(pixels: h, scale: 1, source: h, patches: grid.height)
        let patchPixels = min(w / max(grid.width, 1), h / max(grid.height, 1))
        let period = FigureRaster.hatchPeriod(patchPixels: patchPixels)
        let outline = max(1, patchPixels / 12)
        let edges = patchPixels >= 4
        var out = [UInt8](repeating: 255, count: w * h * 4)
        out.withUnsafeMutableBufferPointer { out in
            base.withUnsafeBufferPointer { base in
                for y in 0..<h {
                    let rowToken = rows.patch[y] * grid.width, rowEdge = rows.isStart[y], rowInset = rows.inset[y]
                    for x in 0..<w {
                        let token = rowToken + cols.patch[x]
                        let i = (y * w + x) * 3, o = (y * w + x) * 4
                        let mark = marks[token]
                        let edge = edges && (rowEdge || cols.isStart[x])
                        if mark == .untouched && !edge {
                            out[o] = base[i]; out[o + 1] = base[i + 1]; out[o + 2] = base[i + 2]
                            continue
                        }
                        var c = paint.pixel(RGB(base[i], base[i + 1], base[i + 2]), token: token)
                        let inset = min(cols.inset[x], rowInset)
                        switch mark {
                        case .cursor where inset < 2 * outline: c = Theme.cursor
                        case .neighbour where inset < outline: c = Theme.neighbour
                        case .restored where inset < outline: c = Theme.reconstructed
                        case .hatch where FigureRaster.isHatch(x: x, y: y, period: period): c = FigureRaster.hatched(c)
                        default: if edge { c = c.scaled(0.72) }
                        }
                        out[o] = c.r; out[o + 1] = c.g; out[o + 2] = c.b
                    }
                }
            }
        }
        return out
    }
}

/// The scene the terminal draws in pixels for this state, or nil when the canvas is cells: no pixel
/// protocol, a popup or the help over it, the compare view, text or video, a screen too small.
public func pixelScene(_ state: AppState) -> PixelScene? { PixelScene(state) }

/// Where the pixel canvas goes, or nil when there is none (the view then draws the canvas in cells).
func pixelCanvasPlacement(_ state: AppState) -> (RGBImage, ImagePlacement)? {
    guard state.pixels != .cells, !state.snapshot, !state.showHelp, state.baseline == nil else { return nil }
    let screen = ScreenLayout(width: state.width, height: state.height)
    guard !screen.tooSmall, let scored = state.scored, case .image(let image)? = scored.sample.media else { return nil }
    // While the curves are being built a note sits on the canvas's top row.
    if state.showCurves && scored.comparison == nil { return nil }
    let grid = scored.scores.layout
    let place = ImagePlacement(imageWidth: image.width, imageHeight: image.height, in: mediaArea(state, screen),
                               grid: (grid.height, grid.width))
    guard place.pixelWidth > 0, place.pixelHeight >= 2 else { return nil }
    return (image, place)
}
