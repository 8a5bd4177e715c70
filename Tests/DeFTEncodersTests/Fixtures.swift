import DeFT
import Foundation

/// The committed fixtures (made by Fixtures/make_dinov2_fixtures.py) and scratch paths.
enum Fixture {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    static func load(_ name: String) throws -> SafetensorsFile { try SafetensorsFile.load(path: path(name)) }

    /// The repository root (for Samples/), from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func scratch(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-encoder-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    /// ‖a − b‖_F / ‖b‖_F.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) { num += Double(x - y) * Double(x - y); den += Double(y) * Double(y) }
        return (num / max(den, 1e-30)).squareRoot()
    }
}

extension SafetensorsFile {
    func bytes(_ name: String) throws -> (shape: [Int], values: [UInt8]) {
        let t = try integers(name)
        return (t.shape, t.values.map { UInt8($0) })
    }
}
