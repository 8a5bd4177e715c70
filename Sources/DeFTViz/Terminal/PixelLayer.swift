import Dispatch

/// What the terminal shows of the pixel canvas, and the bytes that bring it up to date frame by frame.
/// An image is encoded only once its content has held still for `settleMs` (encoding takes far longer
/// than the 2 ms a scrub frame may cost): while the ratio is being scrubbed the old picture stays and
/// the status line and panel move; the new one follows when the keys stop.
/// Kitty keeps the pixels (one image id, re-placed or taken off without resending); a sixel is part
/// of the cells it covers, so it is kept here and written again whenever ncurses rewrote those cells.
public struct PixelLayer {
    public let drawing: GraphicsProtocol
    /// Kitty's sequences go through tmux's passthrough.
    let passthrough: Bool
    public static let settleMs: UInt64 = 120

    /// What the terminal holds.
    private struct Shown {
        var cells: Rect
        var cell: PixelSize
        var content: PixelScene.Content
        var onScreen: Bool
        /// A sixel as it was last written (kitty's pixels stay in the terminal instead).
        var sixel: [UInt8]
    }
    private var shown: Shown?
    /// A content waiting to settle, and since when.
    private var pending: (cells: Rect, cell: PixelSize, content: PixelScene.Content, since: UInt64)?
    /// The last encode (composing the pixels and libchafa's encoding), for the bench and the report.
    public private(set) var lastEncodeMs = 0.0
    /// The resampled source of the last picture: scrubbing changes the marks, not the picture under them.
    private var base: (scene: PixelScene, size: PixelSize, pixels: [UInt8])?

    public init(drawing: GraphicsProtocol, passthrough: Bool = false) {
        self.drawing = drawing; self.passthrough = passthrough
    }

    /// What to do around one refresh: the rows ncurses must repaint whole (to wipe a sixel that goes),
    /// and the bytes to write once it has refreshed.
    public struct Step: Equatable {
        public var repaintRows: Range<Int>?
        public var output: [UInt8] = []
    }

    /// Cells under the shown picture that this frame changes: ncurses will write over a sixel there.
    public func damaged(previous: Frame?, frame: Frame) -> Bool {
        guard let s = shown, s.onScreen else { return false }
        guard let previous, previous.width == frame.width, previous.height == frame.height else { return true }
        for y in s.cells.y..<min(s.cells.y + s.cells.height, frame.height) {
            for x in s.cells.x..<min(s.cells.x + s.cells.width, frame.width) where previous[x, y] != frame[x, y] { return true }
        }
        return false
    }

    /// The step for a frame that shows `scene` (nil: no pixels now). `damaged`: ncurses rewrites cells
    /// under the picture; `cleared`: the whole screen is being redrawn.
    public mutating func step(_ scene: PixelScene?, cell: PixelSize, damaged: Bool, cleared: Bool, nowMs: UInt64) -> Step {
        var step = Step()
        // Off the screen first when it goes, or moves, or the cells change size.
        if let s = shown {
            let sameGeometry = scene.map { $0.cells == s.cells && cell == s.cell } ?? false
            if s.onScreen && !sameGeometry {
                // Under a popup kitty keeps the pixels to place again; moved or resized they are no use.
                if drawing == .kitty { step.output += wrap(PixelEncoder.kittyDelete(freeData: scene != nil)) }
                else { step.repaintRows = s.cells.y..<(s.cells.y + s.cells.height) }
                shown?.onScreen = false
            }
            if scene != nil && !sameGeometry { shown = nil }
        }
        guard let scene else { pending = nil; return step }

        if let s = shown, s.content == scene.content {
            // The picture the terminal has: back on the screen, or again where ncurses wrote over it.
            pending = nil
            let again = !s.onScreen || (drawing == .sixel ? damaged || cleared : cleared)
            if again { step.output += place(s) }
            shown?.onScreen = true
            return step
        }
        if let p = pending, p.cells == scene.cells, p.cell == cell, p.content == scene.content {
            // Still settling.
        } else {
            pending = (scene.cells, cell, scene.content, nowMs)
        }
        if nowMs >= pending!.since + Self.settleMs {
            step.output += encode(scene, cell: cell)
            pending = nil
        } else if let s = shown, s.onScreen, drawing == .sixel ? damaged || cleared : cleared {
            // The old picture stays until the new one settles; put it back where ncurses wiped it.
            step.output += place(s)
        }
        return step
    }

    /// Milliseconds until a waiting picture has settled (the run loop wakes then), nil when none waits.
    public func wakeAfterMs(nowMs: UInt64) -> Int32? {
        guard let p = pending else { return nil }
        return Int32(clamping: max(1, Int64(p.since + Self.settleMs) - Int64(nowMs)))
    }

    /// Forgets what the terminal showed (it cleared the screen behind ncurses' back): the next scene
    /// gets a new picture.
    public mutating func forget() { shown = nil; pending = nil }

    /// Takes the picture away for good (quit): kitty forgets the pixels; a sixel goes with the screen.
    public mutating func clear() -> [UInt8] {
        defer { shown = nil; pending = nil }
        return drawing == .kitty && shown != nil ? wrap(PixelEncoder.kittyDelete(freeData: true)) : []
    }

    private func place(_ s: Shown) -> [UInt8] {
        let body = drawing == .kitty ? wrap(PixelEncoder.kittyPlace(columns: s.cells.width, rows: s.cells.height)) : s.sixel
        return PixelEncoder.at(column: s.cells.x, row: s.cells.y, body)
    }

    private mutating func encode(_ scene: PixelScene, cell: PixelSize) -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        let size = PixelEncoder.pixelSize(columns: scene.cells.width, rows: scene.cells.height, cell: cell, for: drawing)
        if base.map({ !$0.scene.sharesBase(with: scene) || $0.size != size }) ?? true { base = (scene, size, scene.base(size)) }
        let image = PixelEncoder.encode(rgba: scene.rgba(size, base: base?.pixels), size: size, columns: scene.cells.width, rows: scene.cells.height,
                                        cell: cell, as: drawing)
        lastEncodeMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard !image.isEmpty else { return [] }
        shown = Shown(cells: scene.cells, cell: cell, content: scene.content, onScreen: true, sixel: drawing == .sixel ? image : [])
        // Kitty: the old pixels go before the new ones come under the same id.
        let body = drawing == .kitty ? wrap(PixelEncoder.kittyDelete(freeData: true) + image) : image
        return PixelEncoder.at(column: scene.cells.x, row: scene.cells.y, body)
    }

    private func wrap(_ bytes: [UInt8]) -> [UInt8] { passthrough ? PixelEncoder.tmuxPassthrough(bytes) : bytes }
}
