import Foundation
@testable import DeFT

/// Temporary files for tests that need a path on disk.
enum TestFiles {
    static func path(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    static func write(_ bytes: [UInt8], _ name: String) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    /// A safetensors file from a literal JSON header and raw data bytes.
    static func safetensors(header: String, data: [UInt8], name: String = "t.safetensors") -> String {
        let h = Array(header.utf8)
        var bytes = withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init)
        bytes += h + data
        return write(bytes, name)
    }

    /// A `.npy` file with a literal header dictionary.
    static func npy(header dict: String, data: [UInt8], major: UInt8 = 1, name: String = "a.npy") -> String {
        var h = dict
        while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        let n = h.utf8.count
        return write([0x93] + Array("NUMPY".utf8) + [major, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(h.utf8) + data, name)
    }

    static func floatBytes(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

    /// Runs `body` and returns the one-line message of the DeFTError it throws.
    static func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as DeFTError { return e.description } catch { return "\(error)" }
    }
}
