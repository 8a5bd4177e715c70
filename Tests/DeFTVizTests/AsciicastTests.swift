import Foundation
import Testing
@testable import DeFTViz

@Suite struct AsciicastTests {
    @Test func headerIsAVersion2JSONObject() throws {
        let line = Asciicast.header(width: 120, height: 32, timestamp: 1_700_000_000,
                                    environment: ["TERM": "xterm-256color", "SHELL": "/bin/\"odd\"", "HOME": "/root"])
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
        let h = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(h["version"] as? Int == 2 && h["width"] as? Int == 120 && h["height"] as? Int == 32)
        #expect(h["timestamp"] as? Int == 1_700_000_000)
        let env = try #require(h["env"] as? [String: String])
        #expect(env == ["TERM": "xterm-256color", "SHELL": "/bin/\"odd\""])
    }

    @Test func eventsRoundTripEveryControlCharacter() throws {
        let data = "\u{1B}[0;38;2;1;2;3m▀\"\\\n\r\t\u{0}\u{7F}é😀"
        let line = Asciicast.output(at: 1.25, data)
        #expect(!line.dropLast().contains("\n"))
        let e = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
        #expect(e.count == 3 && (e[0] as? Double) == 1.25 && (e[1] as? String) == "o" && (e[2] as? String) == data)
        let r = try #require(try JSONSerialization.jsonObject(with: Data(Asciicast.resize(at: 2, width: 80, height: 24).utf8)) as? [Any])
        #expect((r[1] as? String) == "r" && (r[2] as? String) == "80x24")
    }

    /// Every cut of a text with 1- to 4-byte characters: the sent part is whole UTF-8, and sent plus
    /// held back is the input.
    @Test func splitKeepsCharactersWhole() {
        let bytes = Array("a▀é😀b€".utf8)
        for cut in 0...bytes.count {
            let (complete, rest) = Asciicast.splitUTF8(Array(bytes[..<cut]))
            #expect(Array(complete) + Array(rest) == Array(bytes[..<cut]))
            #expect(String(validating: Array(complete), as: UTF8.self) != nil, "cut at \(cut) sent a broken character")
            #expect(rest.count < 4)
        }
        #expect(Asciicast.splitUTF8(Array("▀".utf8).dropLast()).rest.count == 2)
        #expect(Asciicast.splitUTF8(Array("ab".utf8)).rest.isEmpty)
    }
}
