import DeFT
import Testing
@testable import DeFTViz

@Suite struct ScreenLayoutTests {
    @Test func thePanelGrowsWithTheTerminal() {
        let widths = [80, 120, 200, 250, 300].map { ScreenLayout(width: $0, height: 40).panel.width }
        #expect(widths == [28, 36, 60, 75, 80])
        for w in [80, 120, 200, 300] {
            let l = ScreenLayout(width: w, height: 40)
            #expect(l.canvas.width + 1 + l.panel.width == w)
        }
        // Wide: the score's formula and its numbers each on one line, nothing wrapped or cut.
        let lines = view(Fixtures.state([Fixtures.image], width: 250, height: 70)).text.split(separator: "\n")
        #expect(lines.contains { $0.hasSuffix("│s = β_sal·z_sal + β_fb·z_fb + β_grp·z_grp" + String(repeating: " ", count: 75 - 42)) })
    }

    @Test func compareAt80x24UsesTheFullHeight() throws {
        var s = Fixtures.state([Fixtures.image], width: 80, height: 24)
        s.baseline = .uniform
        let layout = ScreenLayout(s)
        #expect(layout.panel.width == 0 && layout.canvas.width == 80)
        let p = panes(s, layout)
        for pane in p {
            let place = ImagePlacement(imageWidth: 48, imageHeight: 48, in: pane, grid: (6, 6))
            #expect(place.pixelHeight / 2 == pane.height, "image rows \(place.pixelHeight / 2) of \(pane.height)")
        }
        #expect(p[0].y + p[0].height == layout.legend.y)
        #expect(p[0].width == p[1].width && p[0].height == p[1].height, "the two images drawn at one size")
        // Every drawn row of the panes holds picture.
        let f = view(s)
        for y in p[0].y..<(p[0].y + p[0].height) { #expect((p[0].x..<(p[0].x + p[0].width)).contains { f[$0, y].bg != nil }) }
        // On a wide terminal the panel stays beside the comparison.
        var wide = s; wide.width = 200; wide.height = 60
        #expect(ScreenLayout(wide).panel.width == 60)
        #expect(view(wide).text.contains("token "))
    }

    @Test func theSymbolsKeyCyclesAndTheHelpListsIt() {
        var s = Fixtures.state([Fixtures.image])
        #expect(s.symbols == .quad)
        var seen: [CellSymbols] = []
        for _ in 0..<3 { s = update(s, .key(.char("s"))).0; seen.append(s.symbols) }
        #expect(seen == [.sextant, .half, .quad])
        #expect(s.note?.contains("symbols: quad") == true)
        #expect(KeyTable.bindings.contains { $0.keys == "s" && $0.help.contains("sextant") })
        #expect(KeyTable.helpLines.contains { $0.hasPrefix("s ") })
        // The glyphs on the canvas change with it.
        var half = s; half.symbols = .half
        var sextant = s; sextant.symbols = .sextant
        #expect(view(half).cells.allSatisfy { !($0.glyph.unicodeScalars.first!.value >= 0x1FB00) })
        #expect(view(sextant).cells.contains { $0.glyph.unicodeScalars.first!.value >= 0x1FB00 })
    }
}
