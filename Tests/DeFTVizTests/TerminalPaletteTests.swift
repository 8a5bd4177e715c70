import Testing
@testable import DeFTViz

@Suite struct TerminalPaletteTests {
    @Test func quantisesTo256LikeTmux() {
        #expect(TerminalPalette.index256(RGB(0, 0, 0)) == 16)
        #expect(TerminalPalette.index256(RGB(255, 255, 255)) == 231)
        #expect(TerminalPalette.index256(RGB(255, 0, 0)) == 196)
        #expect(TerminalPalette.index256(RGB(0x5f, 0x87, 0xaf)) == 16 + 36 + 12 + 3)
        #expect(TerminalPalette.index256(RGB(128, 128, 128)) == 244)   // grey ramp 8 + 10·12 = 128
        #expect(TerminalPalette.index256(RGB(250, 250, 250)) == 231)
    }

    @Test func nearestANSIColours() {
        #expect(TerminalPalette.indexANSI(RGB(250, 10, 10), count: 16) == 9)
        #expect(TerminalPalette.indexANSI(RGB(200, 10, 10), count: 8) == 1)
        #expect(TerminalPalette.indexANSI(RGB(10, 10, 10), count: 8) == 0)
    }

    @Test func depthDecisionOrder() {
        let d = ColorDepthDetection.decide
        #expect(d(.ansi16, ["NO_COLOR": "1"], 256, true) == .ansi16)
        #expect(d(nil, ["NO_COLOR": "1", "COLORTERM": "truecolor"], 256, true) == ColorDepth.none)
        #expect(d(nil, ["NO_COLOR": ""], 256, false) == .xterm256)
        #expect(d(nil, ["COLORTERM": "truecolor"], 256, false) == .truecolor)
        #expect(d(nil, [:], 16_777_216, false) == .truecolor)
        #expect(d(nil, [:], 8, false) == .ansi8)
        #expect(d(nil, [:], 0, false) == ColorDepth.none)
    }

    @Test func snapshotPrinterEmitsSGRPerDepthAndPlainTextWithoutColour() {
        var f = Frame(width: 3, height: 1)
        f[0, 0] = Cell("▀", fg: RGB(255, 0, 0), bg: RGB(0, 0, 255))
        f.put("ab", x: 1, y: 0, style: .bold)
        #expect(AnsiSnapshot.render(f, depth: .none) == "▀ab\n")
        #expect(AnsiSnapshot.render(f, depth: .truecolor).contains("\u{1B}[0;38;2;255;0;0;48;2;0;0;255m▀"))
        #expect(AnsiSnapshot.render(f, depth: .xterm256).contains("38;5;196;48;5;21m"))
        #expect(AnsiSnapshot.render(f, depth: .ansi8).contains("\u{1B}[0;1mab"))
    }
}
