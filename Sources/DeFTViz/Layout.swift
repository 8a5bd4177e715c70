import DeFT
import DeFTMedia

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public func contains(_ cx: Int, _ cy: Int) -> Bool { cx >= x && cy >= y && cx < x + width && cy < y + height }
}

/// Where everything goes on a screen of a given size. Shared by `view` (to draw) and `update`
/// (to hit-test mouse clicks), so the two can never disagree.
public struct ScreenLayout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public let status: Rect
    public let canvas: Rect
    /// One line under the canvas saying what the colours and marks on it mean.
    public let legend: Rect
    public let panel: Rect
    public let footer: Rect
    public let tooSmall: Bool

    /// Two images side by side are as tall as half the canvas is wide: while comparing, below
    /// this width the panel gives its columns to the images so they can use the rows.
    public static let panelWhileComparingFrom = 160

    public init(width: Int, height: Int, comparing: Bool = false) {
        tooSmall = width < Self.minimumWidth || height < Self.minimumHeight
        // About 30 % of the width: wide terminals get a wide panel (fewer wrapped lines), up to 80.
        let panelWidth = comparing && width < Self.panelWhileComparingFrom ? 0 : min(max(width * 3 / 10, 28), 80)
        status = Rect(x: 0, y: 0, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let canvasWidth = panelWidth > 0 ? width - panelWidth - 1 : width
        canvas = Rect(x: 0, y: 1, width: canvasWidth, height: height - 3)
        legend = Rect(x: 0, y: height - 2, width: canvasWidth, height: 1)
        panel = Rect(x: width - panelWidth, y: 1, width: panelWidth, height: height - 2)
    }
}

/// An image fitted into a rectangle of cells, measured in half cells (a cell is about twice as tall
/// as wide): columns × rows · 2. The symbols then split each cell further (CellSymbols).
public struct ImagePlacement: Equatable, Sendable {
    public let origin: (x: Int, y: Int)
    public let pixelWidth: Int     // columns = pixelWidth
    public let pixelHeight: Int    // rows = pixelHeight / 2
    public let grid: (height: Int, width: Int)

    public static func == (a: Self, b: Self) -> Bool {
        a.origin == b.origin && a.pixelWidth == b.pixelWidth && a.pixelHeight == b.pixelHeight && a.grid == b.grid
    }

    /// Largest size with the image's aspect (a cell is two pixels tall) that fits, centred.
    public init(imageWidth: Int, imageHeight: Int, in rect: Rect, grid: (Int, Int)) {
        let maxW = Double(rect.width), maxH = Double(rect.height * 2)
        let scale = min(maxW / Double(max(imageWidth, 1)), maxH / Double(max(imageHeight, 1)))
        var w = max(1, Int(Double(imageWidth) * scale)), h = max(2, Int(Double(imageHeight) * scale))
        w = min(w, rect.width); h = min(h - h % 2, rect.height * 2)
        pixelWidth = w; pixelHeight = max(h, 0)
        origin = (rect.x + (rect.width - w) / 2, rect.y + (rect.height - pixelHeight / 2) / 2)
        self.grid = grid
    }

    /// The patch (row-major within one frame) under pixel (px, py), or nil outside the image.
    public func patch(px: Int, py: Int) -> Int? {
        guard px >= 0, py >= 0, px < pixelWidth, py < pixelHeight else { return nil }
        return (py * grid.height / pixelHeight) * grid.width + px * grid.width / pixelWidth
    }

    /// The patch under a cell's upper pixel.
    public func patch(cellX: Int, cellY: Int) -> Int? { patch(px: cellX - origin.x, py: (cellY - origin.y) * 2) }
}

/// The video canvas: a strip of thumbnails on top, the selected frame enlarged below.
public struct VideoPlacement: Sendable {
    public let strip: Rect
    public let thumbs: [ImagePlacement]
    public let main: ImagePlacement

    public init(frame: RGBImage, frames: Int, layout: TokenLayout, in rect: Rect) {
        let stripHeight = max(2, min(6, rect.height / 4))
        strip = Rect(x: rect.x, y: rect.y, width: rect.width, height: stripHeight + 1)
        let slot = max(1, rect.width / max(frames, 1))
        thumbs = (0..<frames).map { t in
            ImagePlacement(imageWidth: frame.width, imageHeight: frame.height,
                           in: Rect(x: rect.x + t * slot, y: rect.y, width: max(1, slot - 1), height: stripHeight),
                           grid: (layout.height, layout.width))
        }
        main = ImagePlacement(imageWidth: frame.width, imageHeight: frame.height,
                              in: Rect(x: rect.x, y: rect.y + stripHeight + 1, width: rect.width, height: rect.height - stripHeight - 1),
                              grid: (layout.height, layout.width))
    }
}

/// The text canvas: tokens laid out as the original paragraph, wrapped at the canvas width.
public struct TextPlacement: Sendable {
    /// Per token: (line, column, cell width) in canvas coordinates; line may exceed the canvas.
    public let spots: [(line: Int, col: Int, width: Int)]
    public let lines: Int

    public init(_ doc: TextDocument, width: Int) {
        let bytes = Array(doc.text.utf8)
        var spots: [(Int, Int, Int)] = []
        var line = 0, col = 0
        var previousEnd = 0
        let usable = max(width, 4)
        // Tokens with no gap between them are pieces of one word ("no" + "bly"): a word that does
        // not fit moves to the next line whole, unless it is wider than a line.
        var wordStart = 0
        for (i, t) in doc.tokens.enumerated() {
            let start = min(max(t.byteStart, 0), bytes.count), end = min(max(t.byteEnd, start), bytes.count)
            let gap = bytes[min(previousEnd, start)..<start]
            let surface = String(decoding: bytes[start..<end], as: UTF8.self)
            let w = max(1, surface.count)
            if gap.contains(0x0A) && col > 0 {
                line += gap.filter { $0 == 0x0A }.count >= 2 ? 2 : 1
                col = 0
            } else if !gap.isEmpty && col > 0 {
                col += 1
            }
            if !gap.isEmpty || i == 0 { wordStart = i }
            if col + w > usable && col > 0 {
                let wordCol = wordStart < i ? spots[wordStart].1 : col
                let wordWidth = col - wordCol + w
                line += 1; col = 0
                if wordStart < i && wordCol > 0 && wordWidth <= usable {
                    for j in wordStart..<i {
                        spots[j] = (line, col, spots[j].2)
                        col += spots[j].2
                    }
                }
            }
            spots.append((line, col, min(w, usable)))
            col += min(w, usable)
            previousEnd = end
        }
        self.spots = spots
        lines = (spots.last?.0 ?? 0) + 1
    }

    /// The display text of token i (the original slice, not a model's "##" piece).
    public static func surface(_ doc: TextDocument, _ i: Int) -> String {
        let bytes = Array(doc.text.utf8)
        let t = doc.tokens[i]
        let s = min(max(t.byteStart, 0), bytes.count), e = min(max(t.byteEnd, s), bytes.count)
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}
