import DeFT
import DeFTMedia
import Foundation

/// A figure as SVG text: the source pictures embedded once, untouched, and one element per token
/// over them (`class="token kept|pruned|reconstructed|merged"`, `data-token`, `data-value`), so the
/// selection can be read back from the file; titles, frame counts, colour bar labels and the
/// caption as real text. Text samples are drawn as text: tokens on the channel's colour, pruned
/// ones faded and struck through.
public enum SVGFigure {
    static let captionLine = 16
    static let heatOpacity = "0.65"

    public static func encode(_ model: FigureModel) throws -> String {
        if case .text(let doc)? = model.media { return textFigure(model, doc) }
        return try pictureFigure(model)
    }

    // MARK: images and video

    static func pictureFigure(_ model: FigureModel) throws -> String {
        let frames = model.frames
        guard let first = frames.first else { throw DeFTError(model.input, "the sample has no picture to draw (scores only)") }
        let geo = FigureGeometry(sourceWidth: first.width, sourceHeight: first.height, frames: frames.count,
                                 panels: model.panels.count, columns: model.columns, showsBar: model.showsColourBar, withText: true)
        let layout = model.layout, per = layout.tokensPerFrame
        let cols = PatchAxis(pixels: geo.frameWidth, scale: geo.scale, source: first.width, patches: layout.width)
        let rows = PatchAxis(pixels: geo.frameHeight, scale: geo.scale, source: first.height, patches: layout.height)
        let patchPixels = min(geo.frameWidth / max(layout.width, 1), geo.frameHeight / max(layout.height, 1))
        let period = Double(FigureRaster.hatchPeriod(patchPixels: patchPixels)) * 0.7071
        var svg = header(model, width: max(geo.width, captionWidth(model)), height: geo.height + captionHeight(model))
        svg += "<defs>\n"
        svg += "<pattern id=\"hatch\" width=\"\(f(period))\" height=\"\(f(period))\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            + "<rect width=\"1\" height=\"\(f(period))\" fill=\"#ffffff\" fill-opacity=\"0.7\"/></pattern>\n"
        if model.showsColourBar { svg += gradient() }
        for (t, frame) in frames.enumerated() {
            let png = try ImageDecoder.encodePNG(frame)
            svg += "<image id=\"frame\(t)\" width=\"\(geo.frameWidth)\" height=\"\(geo.frameHeight)\" preserveAspectRatio=\"none\""
                + (geo.scale > 1 ? " image-rendering=\"pixelated\" style=\"image-rendering:pixelated\"" : "")
                + " xlink:href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>\n"
        }
        svg += "</defs>\n"
        for (i, panel) in model.panels.enumerated() {
            let paint = model.paint(panel)
            let o = geo.panelOrigin(i)
            svg += panelOpen(panel)
            svg += "<text class=\"title\" x=\"\(o.x)\" y=\"\(o.y + 15)\" font-size=\"14\" font-weight=\"bold\" fill=\"#202020\">\(panel.title.xmlEscaped)</text>\n"
            let counts = panel.keptPerFrame(layout)
            for t in frames.indices {
                let fo = geo.frameOrigin(panel: i, frame: t)
                svg += "<use xlink:href=\"#frame\(t)\" x=\"\(fo.x)\" y=\"\(fo.y)\"/>\n"
                for r in 0..<layout.height {
                    for c in 0..<layout.width {
                        let (ys, yn) = rows.spans[r], (xs, xn) = cols.spans[c]
                        guard xn > 0, yn > 0 else { continue }
                        svg += patch(model, panel, paint: paint, token: t * per + r * layout.width + c,
                                     x: fo.x + xs, y: fo.y + ys, width: xn, height: yn, outline: max(1, patchPixels / 7))
                    }
                }
                if model.gridLines { svg += gridPath(cols: cols, rows: rows, origin: fo, width: geo.frameWidth, height: geo.frameHeight) }
                if frames.count > 1 {
                    svg += "<text class=\"count\" x=\"\(fo.x)\" y=\"\(fo.y + geo.frameHeight + 13)\" font-size=\"12\" fill=\"#303030\">"
                        + "frame \(t + 1): kept \(counts[t]) of \(per)</text>\n"
                }
            }
            svg += "</g>\n"
        }
        if model.showsColourBar {
            let b = geo.bar
            svg += colourBar(model, x: b.x, y: b.y, width: b.width, height: b.height)
        }
        svg += caption(model, y: geo.height)
        return svg + "</svg>\n"
    }

    static func panelOpen(_ p: FigurePanel) -> String {
        "<g class=\"panel\" data-method=\"\(p.method.rawValue)\" data-ratio=\"\(p.ratio)\" data-k=\"\(p.k)\" data-path=\"\(p.path.rawValue)\">\n"
    }

    /// One token's element: what lies over its patch of the (untouched) picture.
    static func patch(_ model: FigureModel, _ panel: FigurePanel, paint: TokenPaint, token i: Int,
                      x: Int, y: Int, width w: Int, height h: Int, outline: Int) -> String {
        let box = "x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\""
        let heat = model.overlay ? "<rect \(box) fill=\"\(hex(ColorMap.viridis(model.values.unit(i))))\" fill-opacity=\"\(heatOpacity)\"/>" : ""
        let kind: String
        var body = heat
        if panel.isKept[i] {
            kind = "kept"
            if let g = paint.group(i) { body += "<rect \(box) fill=\"\(hex(g))\" fill-opacity=\"0.5\"/>" }
            if body.isEmpty { body = "<rect \(box) fill=\"none\"/>" }
        } else if panel.isReconstructed[i] {
            kind = "reconstructed"
            let inset = Double(outline) / 2
            body += "<rect \(box) fill=\"#000000\" fill-opacity=\"0.45\"/>"
                + "<rect x=\"\(f(Double(x) + inset))\" y=\"\(f(Double(y) + inset))\" width=\"\(f(Double(w) - 2 * inset))\" height=\"\(f(Double(h) - 2 * inset))\""
                + " fill=\"\(hex(Theme.reconstructed))\" fill-opacity=\"0.3\" stroke=\"\(hex(Theme.reconstructed))\" stroke-width=\"\(outline)\"/>"
        } else if panel.isMerged(i), let g = paint.group(i) {
            kind = "merged"
            body += "<rect \(box) fill=\"\(hex(g))\" fill-opacity=\"0.5\"/>"
        } else {
            kind = "pruned"
            body += "<rect \(box) fill=\"#000000\" fill-opacity=\"0.6\"/><rect \(box) fill=\"url(#hatch)\"/>"
        }
        return "<g class=\"token \(kind)\" data-token=\"\(i)\" data-value=\"\(FigureModel.number(model.values.raw[i]))\">\(body)</g>\n"
    }

    static func gridPath(cols: PatchAxis, rows: PatchAxis, origin o: (x: Int, y: Int), width: Int, height: Int) -> String {
        var d = ""
        for s in cols.spans.dropFirst() where s.count > 0 { d += "M\(o.x + s.start) \(o.y)v\(height)" }
        for s in rows.spans.dropFirst() where s.count > 0 { d += "M\(o.x) \(o.y + s.start)h\(width)" }
        return "<path class=\"grid\" d=\"\(d)\" stroke=\"#000000\" stroke-opacity=\"0.45\" stroke-width=\"1\" fill=\"none\" shape-rendering=\"crispEdges\"/>\n"
    }

    // MARK: text

    static let columnsOfText = 72, charWidth = 8.4, lineHeight = 22, textTitle = 24

    static func textFigure(_ model: FigureModel, _ doc: TextDocument) -> String {
        let place = TextPlacement(doc, width: columnsOfText)
        let margin = FigureGeometry.margin, gap = FigureGeometry.gap
        let panelWidth = Int((Double(columnsOfText) * charWidth).rounded(.up)) + 8
        let panelHeight = textTitle + place.lines * lineHeight
        let columns = max(1, min(model.columns, model.panels.count)), rowsOfPanels = (model.panels.count + columns - 1) / columns
        let width = 2 * margin + columns * panelWidth + (columns - 1) * gap
        let barTop = margin + rowsOfPanels * panelHeight + (rowsOfPanels - 1) * gap + FigureGeometry.barGap
        let height = barTop + FigureGeometry.barHeight + 34 + margin
        var svg = header(model, width: max(width, captionWidth(model)), height: height + captionHeight(model))
        svg += "<defs>\n" + gradient() + "</defs>\n"
        for (p, panel) in model.panels.enumerated() {
            let paint = model.paint(panel)
            let ox = margin + (p % columns) * (panelWidth + gap), oy = margin + (p / columns) * (panelHeight + gap)
            svg += panelOpen(panel)
            svg += "<text class=\"title\" x=\"\(ox)\" y=\"\(oy + 15)\" font-size=\"14\" font-weight=\"bold\" fill=\"#202020\">\(panel.title.xmlEscaped)</text>\n"
            for (i, spot) in place.spots.enumerated() {
                let x = Double(ox) + Double(spot.col) * charWidth, y = oy + textTitle + spot.line * lineHeight
                let heat = paint.group(i) ?? ColorMap.viridis(model.values.unit(i))
                let ink = heat.luminance > 0.5 ? "#101010" : "#f5f5f5"
                let kind = panel.isKept[i] ? "kept" : (panel.isReconstructed[i] ? "reconstructed" : (panel.isMerged(i) ? "merged" : "pruned"))
                let faded = kind == "pruned" ? " opacity=\"0.35\"" : ""
                let strike = kind == "pruned" ? " text-decoration=\"line-through\"" : ""
                let mark = kind == "reconstructed" ? " stroke=\"\(hex(Theme.reconstructed))\" stroke-width=\"2\"" : ""
                svg += "<g class=\"token \(kind)\" data-token=\"\(i)\" data-value=\"\(FigureModel.number(model.values.raw[i]))\"\(faded)>"
                    + "<rect x=\"\(f(x))\" y=\"\(y + 2)\" width=\"\(f(Double(spot.width) * charWidth))\" height=\"\(lineHeight - 3)\" fill=\"\(hex(heat))\"\(mark)/>"
                    + "<text x=\"\(f(x))\" y=\"\(y + lineHeight - 6)\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\" fill=\"\(ink)\"\(strike)>"
                    + TextPlacement.surface(doc, i).xmlEscaped + "</text></g>\n"
            }
            svg += "</g>\n"
        }
        svg += colourBar(model, x: margin, y: barTop, width: width - 2 * margin, height: FigureGeometry.barHeight)
        svg += caption(model, y: height)
        return svg + "</svg>\n"
    }

    // MARK: shared parts

    static func header(_ model: FigureModel, width: Int, height: Int) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
            + "<title>\(model.sampleName.xmlEscaped)</title>\n"
            + "<desc>\(model.caption.map(\.xmlEscaped).joined(separator: "\n"))</desc>\n"
            + "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
    }

    static func captionHeight(_ model: FigureModel) -> Int { model.caption.count * captionLine + 8 }
    /// Wide enough for the longest caption line at 12 px (about 6.6 px a character in a sans face).
    static func captionWidth(_ model: FigureModel) -> Int {
        2 * FigureGeometry.margin + Int((Double(model.caption.map(\.count).max() ?? 0) * 6.6).rounded(.up))
    }

    static func caption(_ model: FigureModel, y: Int) -> String {
        var s = "<g class=\"caption\" font-size=\"12\" fill=\"#303030\">\n"
        for (n, line) in model.caption.enumerated() {
            s += "<text x=\"\(FigureGeometry.margin)\" y=\"\(y + n * captionLine + 4)\">\(line.xmlEscaped)</text>\n"
        }
        return s + "</g>\n"
    }

    /// Viridis as a gradient of 17 stops (the polynomial is smooth: linear pieces are within a unit).
    static func gradient() -> String {
        var s = "<linearGradient id=\"viridis\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">"
        for k in 0...16 {
            let t = Float(k) / 16
            s += "<stop offset=\"\(f(Double(t)))\" stop-color=\"\(hex(ColorMap.viridis(t)))\"/>"
        }
        return s + "</linearGradient>\n"
    }

    static func colourBar(_ model: FigureModel, x: Int, y: Int, width: Int, height: Int) -> String {
        let low = FigureModel.number(model.values.low), high = FigureModel.number(model.values.high)
        return "<g class=\"colour-bar\" font-size=\"12\" fill=\"#303030\">"
            + "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"url(#viridis)\" stroke=\"#3c3c3c\"/>"
            + "<text x=\"\(x)\" y=\"\(y + height + 14)\">\(low)</text>"
            + "<text x=\"\(x + width)\" y=\"\(y + height + 14)\" text-anchor=\"end\">\(high)</text>"
            + "<text x=\"\(x + width / 2)\" y=\"\(y + height + 14)\" text-anchor=\"middle\">\(model.channel.title.xmlEscaped)</text></g>\n"
    }

    static func hex(_ c: RGB) -> String { String(format: "#%02x%02x%02x", c.r, c.g, c.b) }
    static func f(_ v: Double) -> String { String(format: "%.2f", v) }
}
