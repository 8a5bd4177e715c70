import DeFT
import DeFTMedia

/// The pixels of an image or video figure at the source's resolution: every patch coloured as the
/// viewer colours it, pruned patches also hatched (so they read in greyscale print), restored ones
/// outlined, an optional patch grid, and the colour bar under the panels.
enum FigureRaster {
    static let paper = RGB(255, 255, 255)
    static let barBorder = RGB(60, 60, 60)

    /// Diagonal hatch lines, a few per patch whatever the patch size.
    static func hatchPeriod(patchPixels: Int) -> Int { max(4, min(8, patchPixels * 2 / 5)) }
    static func isHatch(x: Int, y: Int, period: Int) -> Bool { (x + y) % period == 0 }
    /// A hatch line over a dimmed patch: light, so it stands out on dark pixels in grey too.
    static func hatched(_ c: RGB) -> RGB { c.mixed(paper, 0.7) }
    /// A patch-grid line: the pixel darkened.
    static func gridded(_ c: RGB) -> RGB { c.scaled(0.55) }

    static func render(_ model: FigureModel) throws -> RGBImage {
        let frames = model.frames
        guard let first = frames.first else {
            throw DeFTError(model.input, model.layout.modality == .text
                            ? "a text sample has no pixels to put in a PNG; export it as .svg"
                            : "the sample has no picture to draw (scores only)")
        }
        let geo = FigureGeometry(sourceWidth: first.width, sourceHeight: first.height, frames: frames.count,
                                 panels: model.panels.count, columns: model.columns, showsBar: model.showsColourBar, withText: false)
        var out = [UInt8](repeating: 255, count: geo.width * geo.height * 3)
        func set(_ x: Int, _ y: Int, _ c: RGB) {
            let o = (y * geo.width + x) * 3
            out[o] = c.r; out[o + 1] = c.g; out[o + 2] = c.b
        }
        let layout = model.layout, per = layout.tokensPerFrame
        let fw = geo.frameWidth, fh = geo.frameHeight
        // Patch column/row of every figure pixel and its distance to the patch's nearest edge.
        let cols = PatchAxis(pixels: fw, scale: geo.scale, source: first.width, patches: layout.width)
        let rows = PatchAxis(pixels: fh, scale: geo.scale, source: first.height, patches: layout.height)
        let patchPixels = min(fw / max(layout.width, 1), fh / max(layout.height, 1))
        let period = hatchPeriod(patchPixels: patchPixels)
        let outline = max(1, patchPixels / 7)
        for (i, panel) in model.panels.enumerated() {
            let paint = model.paint(panel)
            for (t, frame) in frames.enumerated() where frame.width == first.width && frame.height == first.height {
                let origin = geo.frameOrigin(panel: i, frame: t)
                for y in 0..<fh {
                    let sy = y / geo.scale
                    for x in 0..<fw {
                        let sx = x / geo.scale
                        let token = t * per + rows.patch[y] * layout.width + cols.patch[x]
                        let (r, g, b) = frame.rgb(x: sx, y: sy)
                        var c = paint.pixel(RGB(r, g, b), token: token)
                        if panel.isReconstructed[token] && min(cols.inset[x], rows.inset[y]) < outline {
                            c = Theme.reconstructed
                        } else if panel.isPruned(token) && isHatch(x: x, y: y, period: period) {
                            c = hatched(c)
                        }
                        if model.gridLines && (cols.isStart[x] || rows.isStart[y]) {
                            c = gridded(c)
                        }
                        set(origin.x + x, origin.y + y, c)
                    }
                }
            }
        }
        if geo.showsBar {
            let bar = geo.bar
            for x in 0..<bar.width {
                let c = ColorMap.viridis(Float(x) / Float(max(bar.width - 1, 1)))
                for y in 0..<bar.height {
                    let edge = x == 0 || y == 0 || x == bar.width - 1 || y == bar.height - 1
                    set(bar.x + x, bar.y + y, edge ? barBorder : c)
                }
            }
        }
        return RGBImage(width: geo.width, height: geo.height, pixels: out)
    }
}

/// One axis of a frame in figure pixels: which patch each pixel falls in (the viewer canvas's rule,
/// `ImagePlacement.patch`, taken one axis at a time) and how far it is from that patch's nearest edge.
struct PatchAxis {
    let patch: [Int]
    let inset: [Int]
    /// The pixel is its patch's first along this axis (where a grid line goes).
    let isStart: [Bool]
    /// Per patch: its first pixel and how many it has (0 when the grid is finer than the pixels).
    let spans: [(start: Int, count: Int)]

    init(pixels: Int, scale: Int, source: Int, patches: Int) {
        let p = (0..<pixels).map { ($0 / scale) * patches / max(source, 1) }
        var first = [Int: Int](), last = [Int: Int]()
        for (x, q) in p.enumerated() { if first[q] == nil { first[q] = x }; last[q] = x }
        patch = p
        inset = p.enumerated().map { x, q in min(x - first[q]!, last[q]! - x) }
        isStart = p.enumerated().map { x, q in x == first[q]! && x > 0 }
        spans = (0..<max(patches, 0)).map { q in first[q].map { ($0, last[q]! - $0 + 1) } ?? (0, 0) }
    }
}
