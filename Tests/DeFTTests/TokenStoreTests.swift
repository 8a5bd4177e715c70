import Foundation
@testable import DeFT
import Testing

@Suite struct TokenStoreTests {
    static func store(attention: Bool) -> TokenStore {
        let inputs = (0..<3).map { i in Matrix(rows: 4, cols: 2, storage: (0..<8).map { Float($0) * 0.25 - Float(i) }) }
        return TokenStore(tokens: 4, width: 2, inputs: inputs, labels: [3, 1, 4],
                          attention: attention ? (0..<3).map { i in (0..<4).map { Float($0 + i) / 10 } } : nil, encoder: "test encoder")
    }

    @Test(arguments: [false, true])
    func writesAndReadsBackExactly(_ attention: Bool) throws {
        let s = Self.store(attention: attention)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/t.tokens").path
        try s.write(to: path)
        let back = try TokenStore.load(path: path)
        #expect(back == s)
        // These values are exact in float16.
        #expect(back.input(1).storage == (0..<8).map { Float($0) * 0.25 - 1 })
        #expect(back.batch([2, 0]).rows == 8 && back.attention(2) == (attention ? [0.2, 0.3, 0.4, 0.5] : nil))
        #expect(back.encoder == "test encoder")
    }

    @Test func halfPrecisionRoundsToTheNearestHalf() {
        let s = TokenStore(tokens: 1, width: 1, inputs: [Matrix(rows: 1, cols: 1, storage: [0.1])], labels: [0], attention: nil, encoder: "e")
        #expect(abs(s.input(0).storage[0] - 0.1) < 1e-4 && s.input(0).storage[0] != 0.1)
    }

    @Test func aTruncatedOrForeignFileIsAOneLineError() throws {
        let s = Self.store(attention: false)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).tokens").path
        try s.write(to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect { _ = try TokenStore(data: data.dropLast(3), path: "t.tokens") } throws: { "\($0)".contains("t.tokens: holds") }
        #expect { _ = try TokenStore(data: Data("hello world, not tokens".utf8), path: "t.tokens") }
            throws: { "\($0)".contains("not a deft token cache") }
    }
}
