import Foundation
import Testing

/// Files are untrusted: what they hold must never reach the terminal as a control, and a bundle's
/// paths must stay inside its folder.
@Suite struct UntrustedInputTests {
    /// Clear screen, set the window title (OSC … BEL), a bare bell, a C1 CSI (U+009B), DEL, a bidi override.
    static let hostile = "\u{1B}[2J\u{1B}]0;pwned\u{07} ring\u{07} \u{9B}31mred \u{7F}del \u{202E}evil"

    /// The bytes a terminal acts on: C0 except newline, DEL, and the C1 controls (UTF-8 C2 80…C2 9F).
    static func controls(in text: String, allowingSGR: Bool) -> [String] {
        var t = text
        if allowingSGR { t = t.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression) }
        return t.unicodeScalars.filter { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value)
        }.map { String(format: "U+%04X", $0.value) }
    }

    func hostileBundle() throws -> String {
        let dir = DeftBinary.temporaryPath("hostile")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "Words before \(Self.hostile) and after.\n".write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
        let manifest: [String: Any] = ["title": "Title \(Self.hostile)", "modality": "text", "media": "t.txt"]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir + "/deft.json"))
        return dir
    }

    @Test(arguments: ["none", "256"])
    func snapshotOfAHostileBundleHasNoControls(_ color: String) throws {
        let dir = try hostileBundle()
        // Every token kept: a plain snapshot shows pruned words as dots, and the words are what is checked.
        let r = try DeftBinary.run(["view", dir, "--snapshot", "--size", "120x30", "--color", color, "--ratio", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Title ␛[2J␛]0;pwned␇"), "the title is shown, escaped")
        #expect(r.stdout.contains("before"))
        #expect(Self.controls(in: r.stdout, allowingSGR: color != "none").isEmpty, "\(Self.controls(in: r.stdout, allowingSGR: true))")
    }

    @Test func snapshotOfAHostileTextFileHasNoControls() throws {
        let file = DeftBinary.temporaryPath("hostile.txt")
        try "A plain line.\n\(Self.hostile)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try DeftBinary.run(["view", file, "--snapshot", "--size", "100x24", "--color", "none"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("plain"))
        #expect(Self.controls(in: r.stdout, allowingSGR: false).isEmpty)
    }

    @Test func errorLinesQuotingAFileHaveNoControls() throws {
        let dir = DeftBinary.temporaryPath("hostile-error")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let manifest: [String: Any] = ["modality": "text\(Self.hostile)\nsecond line", "media": "t.txt"]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir + "/deft.json"))
        let r = try DeftBinary.run(["score", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown modality 'text␛[2J"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line")
        #expect(Self.controls(in: r.stderr, allowingSGR: false).isEmpty)
    }

    @Test func bundlePathsOutsideTheFolderAndManifestLoopsAreOneLineErrors() throws {
        let dir = try hostileBundle()
        let manifest: [String: Any] = ["modality": "text", "media": "t.txt", "features": "../../secret.npy"]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir + "/deft.json"))
        let escape = try DeftBinary.run(["score", dir])
        #expect(escape.status == 2)
        #expect(escape.stderr == "deft: \(dir)/deft.json: '../../secret.npy' leaves the bundle folder ('..' is not allowed)\n")
        try FileManager.default.removeItem(atPath: dir + "/deft.json")
        try FileManager.default.createSymbolicLink(atPath: dir + "/deft.json", withDestinationPath: "deft.json")
        let loop = try DeftBinary.run(["view", dir, "--snapshot"])
        #expect(loop.status == 2 && loop.stdout.isEmpty)
        #expect(loop.stderr == "deft: \(dir)/deft.json: the manifest is a symlink loop\n")
    }

    /// A file named with escapes (a glob in a hostile folder hands it over) is echoed escaped.
    @Test func aHostileFileNameIsEchoedEscaped() throws {
        let file = DeftBinary.temporaryPath("evil\u{1B}]0;x\u{07}.txt")
        try "Some ordinary words.\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try DeftBinary.run(["score", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("evil␛]0;x␇.txt"))
        #expect(Self.controls(in: r.stdout, allowingSGR: false).isEmpty)
    }
}
