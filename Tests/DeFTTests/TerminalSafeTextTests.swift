import Testing
@testable import DeFT

@Suite struct TerminalSafeTextTests {
    @Test func controlsBecomeVisibleStandInsOneScalarForOne() {
        let hostile = "a\u{1B}[2Jb\u{07}c\u{9B}d\u{7F}e\u{202E}f\u{00}g\th\r\ni"
        let line = hostile.terminalSafe
        #expect(line == "a␛[2Jb␇c\u{FFFD}d␡e\u{FFFD}f␀g h␍␊i")
        #expect(line.unicodeScalars.count == hostile.unicodeScalars.count)
        #expect(line.isTerminalSafe && !hostile.isTerminalSafe)
        let text = hostile.terminalSafeText
        #expect(text == "a␛[2Jb␇c\u{FFFD}d␡e\u{FFFD}f␀g h \ni")
        #expect(text.unicodeScalars.count == hostile.unicodeScalars.count)
    }

    @Test func ordinaryTextIsUntouched() {
        let s = "Grüße, 世界 — naïve café ✓ e\u{301}"
        #expect(s.terminalSafe == s && s.terminalSafeText == s)
        #expect(Character("\u{1B}").terminalSafe == "␛" && Character("é").terminalSafe == "é")
    }

    @Test func errorDescriptionsAreOneSafeLine() {
        let e = DeFTError("evil\u{1B}]0;x\u{07}.json", "found '\u{9B}2J'\nnext")
        #expect(e.description == "evil␛]0;x␇.json: found '\u{FFFD}2J'␊next")
    }
}
