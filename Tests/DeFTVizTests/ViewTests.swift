import DeFT
import Testing
@testable import DeFTViz

@Suite struct ViewTests {
    static let sizes = [(80, 24), (120, 40)]

    @Test(arguments: [0, 1, 2], Channel.allCases)
    func everyCanvasAndChannelDrawsAtBothSizesAndAllDepths(_ sample: Int, _ channel: Channel) {
        for (w, h) in Self.sizes {
            for depth in ColorDepth.allCases {
                var s = Fixtures.state(width: w, height: h, depth: depth)
                s.current = sample; s.channel = channel
                let f = view(s)
                let lines = f.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                #expect(lines.count == h && lines.allSatisfy { $0.count == w })
                #expect(lines[0].contains("keep 48.2 %"))
                #expect(lines[0].contains(s.scored!.sample.name))
                #expect(lines.contains { $0.contains(channel.title) })
                #expect(lines.contains { $0.contains("token 0") })
                #expect(lines[h - 1].contains("? help"))
                if depth == .none {
                    #expect(f.cells.allSatisfy { $0.fg == nil && $0.bg == nil })
                } else {
                    #expect(f.cells.contains { $0.bg != nil })
                }
            }
        }
    }

    @Test func textCanvasKeepsTheOriginalWordsAndCountsKeptPerLine() {
        var s = Fixtures.state(width: 80, height: 24)
        s.current = 2
        let lines = view(s).text.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("Four score and seven years ago our fathers"))
        #expect(lines[2].hasPrefix("brought forth, upon this continent, a new"))
        let sel = s.selection!
        let counts = lines[1..<(lines.count - 1)].compactMap { line -> Int? in
            let canvas = line.prefix(ScreenLayout(width: 80, height: 24).canvas.width)
            guard let slash = canvas.lastIndex(of: "/") else { return nil }
            return Int(canvas[..<slash].split(separator: " ").last ?? "")
        }
        #expect(counts.reduce(0, +) == sel.k)
    }

    @Test func prunedPatchesAreDarkerAndTheOverlayRecolours() {
        var s = Fixtures.state(width: 120, height: 40)
        s.ratio = 0.5
        let sel = s.selection!
        let layout = ScreenLayout(width: 120, height: 40)
        let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: layout.canvas, grid: (6, 6))
        let f = view(s)
        // The centre cell of each patch, away from outlines.
        func centre(_ p: Int) -> Cell {
            let (r, c) = (p / 6, p % 6)
            let x = place.origin.x + (c * place.pixelWidth + place.pixelWidth / 2) / 6
            let y = place.origin.y + ((r * place.pixelHeight + place.pixelHeight / 2) / 6) / 2
            return f[x, y]
        }
        // A hatched cell shows the pixel as its background (the hatch is the glyph).
        func pixel(_ c: Cell) -> RGB { c.glyph == "▀" ? c.fg! : c.bg! }
        let keptLum = sel.kept.filter { $0 != s.cursor }.map { pixel(centre($0)).luminance }
        let prunedLum = sel.pruned.map { pixel(centre($0)).luminance }
        // The fixture image is a gradient: compare each pruned patch with its own undimmed colour.
        var all = s; all.ratio = 1
        let full = view(all)
        for p in sel.pruned {
            let (r, c) = (p / 6, p % 6)
            let x = place.origin.x + (c * place.pixelWidth + place.pixelWidth / 2) / 6
            let y = place.origin.y + ((r * place.pixelHeight + place.pixelHeight / 2) / 6) / 2
            #expect(pixel(f[x, y]).luminance < pixel(full[x, y]).luminance * 0.6 + 0.01)
        }
        #expect(!keptLum.isEmpty && !prunedLum.isEmpty)
        s.overlay = true
        let o = view(s)
        let changed = (0..<36).filter { p in
            let (r, c) = (p / 6, p % 6)
            let x = place.origin.x + (c * place.pixelWidth + place.pixelWidth / 2) / 6
            let y = place.origin.y + ((r * place.pixelHeight + place.pixelHeight / 2) / 6) / 2
            return pixel(o[x, y]) != pixel(f[x, y])
        }
        #expect(changed.count >= 30)
    }

    @Test func cursorOutlineAndHybridInspector() {
        var s = Fixtures.state(width: 120, height: 40)
        s.mode = .hybrid; s.ratio = 0.3
        s.cursor = s.selection!.pruned[0]
        let f = view(s)
        #expect(f.cells.contains { $0.fg == Theme.cursor || $0.bg == Theme.cursor })
        if s.gateUnavailable == nil {
            #expect(f.text.contains("gate p_rec"))
            #expect(f.text.contains("reconstruction error"))
            #expect(f.text.contains("pruned restored"))
        } else {
            #expect(f.text.contains("hybrid/adaptive off"))
        }
    }

    @Test func tooSmallAndTinySizesDoNotBreak() {
        for (w, h) in [(1, 1), (0, 0), (59, 30), (100, 15), (300, 100)] {
            let f = view(Fixtures.state(width: w, height: h))
            #expect(f.width == max(w, 0) && f.height == max(h, 0))
        }
        #expect(view(Fixtures.state(width: 59, height: 20)).text.contains("terminal too small: 59×20"))
    }

    @Test func asciiFallbackUsesNoBlockGlyphs() {
        for sample in 0..<3 {
            var s = Fixtures.state(width: 100, height: 30, depth: .none, unicode: false)
            s.current = sample
            #expect(view(s).cells.allSatisfy { $0.glyph.unicodeScalars.allSatisfy { $0.isASCII } })
        }
    }

    @Test func helpOverlayListsTheKeys() {
        var s = Fixtures.state(width: 80, height: 24)
        s.showHelp = true
        let t = view(s).text
        #expect(t.contains("keep ratio ±1 point") && t.contains("mode fast → hybrid → adaptive"))
    }
}
