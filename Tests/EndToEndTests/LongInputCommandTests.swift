import Foundation
import Testing

/// The long-input options of the command line: the neighbour search in `view`, and the load's progress bar.
@Suite struct LongInputCommandTests {
    /// `count` frames of 16×16 PPM in a new folder, each a different grey.
    static func frameFolder(_ count: Int) throws -> String {
        let dir = DeftBinary.temporaryPath("frames")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in 0..<count {
            let pixels = (0..<(16 * 16 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7 + f * 40) }
            try (Data("P6\n16 16\n255\n".utf8) + Data(pixels)).write(to: URL(fileURLWithPath: "\(dir)/f\(f).ppm"))
        }
        return dir
    }

    @Test func viewTakesTheNeighbourSearchAsScoreDoes() throws {
        let text = DeftBinary.temporaryPath("neighbours.txt")
        try String(repeating: "the quick brown fox jumps over the lazy dog, and the dog sleeps on. ", count: 20)
            .write(toFile: text, atomically: true, encoding: .utf8)
        for search in ["exact", "approximate", "auto"] {
            let r = try DeftBinary.run(["view", text, "--encoder", "builtin", "--neighbours", search, "--snapshot", "--size", "100x30"])
            #expect(r.status == 0 && r.stdout.contains("quick"), "\(search): \(r.stderr)")
        }
        let bad = try DeftBinary.run(["view", text, "--neighbours", "fuzzy", "--snapshot"])
        #expect(bad.status == 2 && bad.stderr.contains("--neighbours"))
    }

    /// `deft` under `script`, so its stderr is a terminal (nil where `script` is missing).
    static func onATerminal(_ args: [String]) throws -> String? {
        let script = "/usr/bin/script"
        guard FileManager.default.isExecutableFile(atPath: script) else { return nil }
        let command = ([DeftBinary.url.path] + args).map { "'\($0)'" }.joined(separator: " ") + " >/dev/null"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: script)
        p.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    @Test func aLongLoadDrawsItsProgressOnATerminalAndNothingOtherwise() throws {
        let frames = try Self.frameFolder(5)
        let args = ["score", frames, "--encoder", "builtin", "--grid", "2x2", "--frames", "5"]
        let plain = try DeftBinary.run(args)
        #expect(plain.status == 0 && !plain.stderr.contains("frame 5/5"), "\(plain.stderr)")
        guard let screen = try Self.onATerminal(args) else { return }
        #expect(screen.contains("frame 5/5") && screen.contains("decoding") && screen.contains("encoding"), "\(screen)")
    }
}
