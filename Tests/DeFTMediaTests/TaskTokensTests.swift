import DeFT
import DeFTMedia
import Foundation
import Testing

/// The sharded token cache of the Fashion-MNIST tasks, on the built-in encoder (no model needed).
@Suite struct TaskTokensTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultFolder)))
    func aRangeAcrossAShardBoundaryIsEncodedOnceThenReadBack() throws {
        let dir = NSTemporaryDirectory() + "deft-task-tokens-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scenes = FashionScenes(task: .small, items: try FashionMNIST.load(.test), splitTag: 1)
        // 996..<1004 spans shards 0 and 1: two cache files of four images each.
        var calls: [(Int, Int, Int)] = []
        let first = try TaskTokens.load(scenes: scenes, split: .test, range: 996..<1004, encoder: .builtin, directory: dir, chunk: 3) {
            calls.append(($0, $1, $2))
        }
        #expect(first.count == 8 && first.tokens == 256)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tokens") }.count == 2)
        #expect(calls.last! == (8, 8, 8) && calls.allSatisfy { $0.0 == $0.2 })
        // Read back: the same tokens and labels, and nothing counted as encoded.
        calls = []
        let again = try TaskTokens.load(scenes: scenes, split: .test, range: 996..<1004, encoder: .builtin, directory: dir) {
            calls.append(($0, $1, $2))
        }
        #expect(calls.map(\.0) == [4, 8] && calls.allSatisfy { $0.2 == 0 })
        #expect(again.labels == first.labels && again.labels == Array(scenes.items.labels[996..<1004]))
        for i in 0..<8 { #expect(again.input(i) == first.input(i)) }
    }
}
