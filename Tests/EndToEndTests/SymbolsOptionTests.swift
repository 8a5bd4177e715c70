import Foundation
import Testing

@Suite struct SymbolsOptionTests {
    @Test func symbolsOptionChoosesTheGlyphs() throws {
        func frame(_ symbols: String) throws -> String {
            let r = try DeftBinary.run(["view", "Samples/astronaut", "--snapshot", "--size", "100x30", "--color", "256", "--symbols", symbols])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        let sextant = try frame("sextant"), quad = try frame("quad"), half = try frame("half")
        #expect(sextant.unicodeScalars.contains { (0x1FB00...0x1FB3B).contains($0.value) })
        #expect(quad.unicodeScalars.contains { "▘▝▖▗▚▞▙▟▛▜".unicodeScalars.contains($0) })
        #expect(!half.unicodeScalars.contains { "▘▝▖▗▚▞▙▟▛▜".unicodeScalars.contains($0) || $0.value >= 0x1FB00 })
    }

    @Test func aBadSymbolsValueIsAClearError() throws {
        let r = try DeftBinary.run(["view", "Samples/astronaut", "--snapshot", "--symbols", "braille"])
        #expect(r.status == 2 && r.stderr.contains("--symbols") && r.stderr.contains("braille"), "\(r.stderr)")
    }
}
