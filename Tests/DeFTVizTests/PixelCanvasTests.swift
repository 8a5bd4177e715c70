import DeFT
import DeFTMedia
import Foundation
import Testing
@testable import DeFTViz

/// The image canvas in real pixels: where it goes, what it shows (kept and pruned as the cells show
/// them), and the layer that decides when the terminal gets a new picture, the old one again, or none.
@Suite struct PixelCanvasTests {
    static func pixelState(_ p: GraphicsProtocol = .kitty, width: Int = 100, height: Int = 30) -> AppState {
        var s = Fixtures.state(width: width, height: height)
        s.pixels = p
        s.ratio = 0.5
        return s
    }

    @Test func thePictureCoversTheCellsTheCellCanvasWouldFillAndTheyAreLeftBlank() throws {
        let s = Self.pixelState()
        let scene = try #require(pixelScene(s))
        let img = try #require({ if case .image(let i)? = s.scored?.sample.media { return i }; return nil }())
        let screen = ScreenLayout(width: s.width, height: s.height)
        let place = ImagePlacement(imageWidth: img.width, imageHeight: img.height, in: mediaArea(s, screen), grid: (6, 6))
        #expect(scene.cells == Rect(x: place.origin.x, y: place.origin.y, width: place.pixelWidth, height: place.pixelHeight / 2))
        // Under the picture the view writes nothing (a sixel there stays intact); in cells it draws the image.
        let withPixels = view(s)
        var cellsOnly = s
        cellsOnly.pixels = .cells
        let withCells = view(cellsOnly)
        for y in scene.cells.y..<(scene.cells.y + scene.cells.height) {
            for x in scene.cells.x..<(scene.cells.x + scene.cells.width) {
                #expect(withPixels[x, y] == .blank)
            }
        }
        #expect(withCells[scene.cells.x + 1, scene.cells.y + 1] != .blank)
        // Everything else is the same cells.
        let outside = (1..<s.height).flatMap { y in (0..<s.width).map { (x: $0, y: y) } }.filter { !scene.cells.contains($0.x, $0.y) }
        #expect(outside.allSatisfy { withPixels[$0.x, $0.y] == withCells[$0.x, $0.y] })
        // The status line says how the canvas is drawn (where it has room).
        var wide = s
        wide.width = 220
        #expect(view(wide).text.split(separator: "\n")[0].contains("24-bit colour + kitty pixels"))
        wide.pixels = .cells
        #expect(!view(wide).text.split(separator: "\n")[0].contains("pixels"))
        // Clicks hit-test the same patches the picture shows: a cell in the picture's last column is the last grid column.
        #expect(tokenAt(s, x: scene.cells.x + scene.cells.width - 1, y: scene.cells.y) == 5)
    }

    @Test func noPixelsWhereTheCanvasIsNotAPicture() {
        #expect(pixelScene(Self.pixelState(.cells)) == nil)
        var help = Self.pixelState(); help.showHelp = true
        #expect(pixelScene(help) == nil)
        var compare = Self.pixelState(); compare.baseline = .random
        #expect(pixelScene(compare) == nil)
        var video = Self.pixelState(); video.current = 1
        #expect(pixelScene(video) == nil)
        var text = Self.pixelState(); text.current = 2
        #expect(pixelScene(text) == nil)
        #expect(pixelScene(Self.pixelState(width: 40, height: 12)) == nil)
        var snapshot = Self.pixelState(); snapshot.snapshot = true
        #expect(pixelScene(snapshot) == nil)
        // What drives a new picture: the ratio, the cursor, the overlay; not the help page or a note.
        let s = Self.pixelState()
        var scrubbed = s; scrubbed.ratio = 0.25
        var moved = s; moved.cursor = (s.cursor + 1) % 36
        var noted = s; noted.note = "hello"
        #expect(pixelScene(scrubbed)!.content != pixelScene(s)!.content)
        #expect(pixelScene(moved)!.content != pixelScene(s)!.content)
        #expect(pixelScene(noted)!.content == pixelScene(s)!.content)
    }

    @Test func keptPixelsAreThePictureAndPrunedOnesAreDimmedAndHatched() throws {
        var s = Self.pixelState()
        let scene = try #require(pixelScene(s))
        let size = PixelSize(width: scene.cells.width * 10, height: scene.cells.height * 20)
        let rgba = scene.rgba(size)
        #expect(rgba.count == size.width * size.height * 4)
        let img = try #require({ if case .image(let i)? = s.scored?.sample.media { return i }; return nil }())
        let base = Resample.resizedImage(img, width: size.width, height: size.height).pixels
        #expect(scene.rgba(size, base: scene.base(size)) == rgba)      // the kept source gives the same picture
        let sel = try #require(s.selection)
        let cursor = s.cursor
        let neighbours = Set(s.scored!.scores.neighbours(of: cursor))
        func at(_ x: Int, _ y: Int) -> RGB { let o = (y * size.width + x) * 4; return RGB(rgba[o], rgba[o + 1], rgba[o + 2]) }
        func source(_ x: Int, _ y: Int) -> RGB {
            let o = (y * size.width + x) * 3
            return RGB(base[o], base[o + 1], base[o + 2])
        }
        let pw = size.width / 6, ph = size.height / 6
        var checkedKept = 0, checkedPruned = 0
        for t in 0..<36 where t != cursor && !neighbours.contains(t) {
            let (row, col) = (t / 6, t % 6)
            // The patch's inside, away from its boundary and outline.
            var hatch = 0, dimmed = 0
            for y in (row * ph + 3)..<((row + 1) * ph - 3) {
                for x in (col * pw + 3)..<((col + 1) * pw - 3) {
                    let got = at(x, y), want = source(x, y)
                    if sel.isKept[t] {
                        #expect(got == want)
                    } else if got == want.pruned {
                        dimmed += 1
                    } else if got == want.pruned.mixed(FigureRaster.paper, 0.7) {
                        hatch += 1
                    }
                }
            }
            if sel.isKept[t] { checkedKept += 1 } else if !sel.reconstructed.contains(t) {
                checkedPruned += 1
                #expect(dimmed > 0 && hatch > 0)
                #expect(dimmed + hatch == (pw - 6) * (ph - 6))
            }
        }
        #expect(checkedKept > 3 && checkedPruned > 3)
        // The cursor's patch is outlined in the cursor colour, as in the cells.
        #expect(at((cursor % 6) * pw, (cursor / 6) * ph) == Theme.cursor)
        // The overlay recolours kept pixels too.
        s.overlay = true
        let overlaid = pixelScene(s)!.rgba(size)
        #expect(overlaid != rgba)
    }

    // MARK: the layer

    static func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
    static let cell = PixelSize(width: 8, height: 16)

    @Test func kittyTransmitsOnceThenOnlyPlacesAndDeletes() throws {
        var layer = PixelLayer(drawing: .kitty)
        let s = Self.pixelState()
        let scene = try #require(pixelScene(s))
        let settle = PixelLayer.settleMs
        // A new picture waits to settle, and asks to be woken when it has.
        var step = layer.step(scene, cell: Self.cell, damaged: false, cleared: true, nowMs: 1000)
        #expect(step.output.isEmpty && layer.wakeAfterMs(nowMs: 1000) == Int32(settle))
        step = layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 1000 + settle)
        let sent = Self.text(step.output)
        #expect(sent.hasPrefix("\u{1B}7\u{1B}[\(scene.cells.y + 1);\(scene.cells.x + 1)H"))
        #expect(sent.hasSuffix("\u{1B}8"))
        #expect(sent.contains("a=d,d=I,i=\(PixelEncoder.canvasImageID)"))
        #expect(sent.contains("a=T,f=32,s=\(scene.cells.width * 8),v=\(scene.cells.height * 16),c=\(scene.cells.width),r=\(scene.cells.height)"))
        #expect(layer.wakeAfterMs(nowMs: 2000) == nil)
        // Nothing changed: nothing sent (cells changing under a kitty image do not matter).
        #expect(layer.step(scene, cell: Self.cell, damaged: true, cleared: false, nowMs: 2000).output.isEmpty)
        // The help opens: the placement goes, the pixels stay with the terminal.
        step = layer.step(nil, cell: Self.cell, damaged: false, cleared: false, nowMs: 2100)
        #expect(Self.text(step.output) == Self.text(PixelEncoder.kittyDelete(freeData: false)))
        // It closes: placed again at once, nothing retransmitted.
        step = layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 2200)
        #expect(Self.text(step.output) == Self.text(PixelEncoder.at(column: scene.cells.x, row: scene.cells.y,
                                                                      PixelEncoder.kittyPlace(columns: scene.cells.width, rows: scene.cells.height))))
        // Scrubbing: the old picture stays while keys come; the new one is sent when they stop.
        var s2 = s
        for (n, r) in [0.45, 0.40, 0.35].enumerated() {
            s2.ratio = r
            #expect(layer.step(pixelScene(s2), cell: Self.cell, damaged: false, cleared: false, nowMs: 3000 + UInt64(n) * 30).output.isEmpty)
        }
        let late = layer.step(pixelScene(s2), cell: Self.cell, damaged: false, cleared: false, nowMs: 3060 + settle)
        #expect(Self.text(late.output).contains("a=T"))
        // The terminal is resized: the picture goes at once and its pixels are freed.
        var resized = s2
        resized.width = 90
        step = layer.step(pixelScene(resized), cell: Self.cell, damaged: true, cleared: true, nowMs: 4000)
        #expect(Self.text(step.output) == Self.text(PixelEncoder.kittyDelete(freeData: true)))
        // The picture for the new size once it settles; quit frees it.
        #expect(Self.text(layer.step(pixelScene(resized), cell: Self.cell, damaged: false, cleared: false, nowMs: 4000 + settle).output).contains("a=T"))
        #expect(Self.text(layer.clear()) == Self.text(PixelEncoder.kittyDelete(freeData: true)))
    }

    @Test func aSixelIsWrittenAgainWhereNcursesWroteAndItsRowsRepaintedWhenItGoes() throws {
        var layer = PixelLayer(drawing: .sixel)
        let scene = try #require(pixelScene(Self.pixelState(.sixel)))
        _ = layer.step(scene, cell: Self.cell, damaged: false, cleared: true, nowMs: 0)
        let first = layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 500).output
        let size = PixelEncoder.pixelSize(columns: scene.cells.width, rows: scene.cells.height, cell: Self.cell, for: .sixel)
        #expect(Self.text(first).contains("q\"1;1;\(size.width);\(size.height)"))
        #expect(layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 600).output.isEmpty)
        // ncurses rewrote cells under it: the same sixel again, not a new encode.
        #expect(layer.step(scene, cell: Self.cell, damaged: true, cleared: false, nowMs: 700).output == first)
        // It goes (a popup): its rows are repainted by ncurses, nothing is written.
        let gone = layer.step(nil, cell: Self.cell, damaged: false, cleared: false, nowMs: 800)
        #expect(gone.output.isEmpty && gone.repaintRows == scene.cells.y..<(scene.cells.y + scene.cells.height))
        // Back: the kept sixel at once.
        #expect(layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 900).output == first)
        #expect(layer.clear().isEmpty)
    }

    @Test func theLayerSeesDamageOnlyUnderThePicture() throws {
        var layer = PixelLayer(drawing: .sixel)
        let s = Self.pixelState(.sixel)
        let scene = try #require(pixelScene(s))
        _ = layer.step(scene, cell: Self.cell, damaged: false, cleared: true, nowMs: 0)
        _ = layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 500)
        let frame = view(s)
        var elsewhere = frame
        elsewhere[0, 0] = Cell("x")
        var under = frame
        under[scene.cells.x, scene.cells.y] = Cell("x")
        #expect(!layer.damaged(previous: frame, frame: elsewhere))
        #expect(layer.damaged(previous: frame, frame: under))
        #expect(layer.damaged(previous: nil, frame: frame))
    }

    @Test func forcedKittyInsideTmuxGoesThroughPassthrough() throws {
        var layer = PixelLayer(drawing: .kitty, passthrough: true)
        let scene = try #require(pixelScene(Self.pixelState()))
        _ = layer.step(scene, cell: Self.cell, damaged: false, cleared: true, nowMs: 0)
        let out = Self.text(layer.step(scene, cell: Self.cell, damaged: false, cleared: false, nowMs: 500).output)
        #expect(out.contains("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=T"))
        // The cursor moves stay outside, for tmux itself to follow.
        #expect(out.hasPrefix("\u{1B}7\u{1B}[") && out.hasSuffix("\u{1B}8"))
    }
}
