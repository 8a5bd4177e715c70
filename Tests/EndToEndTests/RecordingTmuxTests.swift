import Foundation
import Testing

/// `--record`: the cast parses, and replaying its output into a terminal emulator (tmux) draws the
/// frame the live viewer showed.
@Suite(.serialized) struct RecordingTmuxTests {
    typealias Pane = ViewerTmuxTests.Pane

    struct Cast {
        let header: [String: Any]
        let events: [(t: Double, code: String, data: String)]
        var output: String { events.filter { $0.code == "o" }.map(\.data).joined() }
    }

    /// Every line must be JSON: the header object, then [t, code, data] with t never going back.
    static func parse(_ path: String) throws -> Cast {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        lines.removeLast()
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        var events: [(Double, String, String)] = []
        for line in lines.dropFirst() {
            let e = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], "not JSON: \(line)")
            let t = try #require(e[0] as? Double), code = try #require(e[1] as? String), data = try #require(e[2] as? String)
            #expect(e.count == 3 && (code == "o" || code == "r"))
            #expect(t >= (events.last?.0 ?? 0), "time went back at \(line)")
            events.append((t, code, data))
        }
        return Cast(header: header, events: events)
    }

    @Test(.enabled(if: ViewerTmuxTests.tmuxAvailable, "tmux is not installed (CI installs it)"))
    func aRecordingReplaysToTheLastFrame() throws {
        let cast = DeftBinary.temporaryPath("view.cast")
        let pane = try Pane(command: "Samples/astronaut --record '\(cast)'", width: 120, height: 32,
                            env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        pane.wait(for: "keep 48.2 %")
        try pane.keys("+", "+", "c")
        let live = pane.wait(for: "saliency s_sem")
        #expect(live.contains("keep 50.2 % = 289 of 576"))

        // Replay what was recorded so far (the viewer still runs: its last frame is on screen).
        let replay = DeftBinary.temporaryPath("replay.txt")
        let player = try Pane(shellWith: ["TERM": "xterm-256color", "LANG": "C.UTF-8"], width: 120, height: 32)
        player.wait(for: "READY$")
        var replayed = ""
        let end = Date().addingTimeInterval(15)
        repeat {
            try Self.parse(cast).output.write(toFile: replay, atomically: true, encoding: .utf8)
            try player.keys("C-c")
            try player.keys("clear; cat '\(replay)'; sleep 60", "Enter")
            usleep(700_000)
            replayed = player.screen()
        } while replayed != live && Date() < end
        #expect(replayed == live, "replayed:\n\(replayed)\nlive:\n\(live)")

        try pane.tmux(["resize-window", "-t", "S", "-x", "100", "-y", "30"])
        pane.wait(for: "? help")
        try pane.keys("q")
        #expect(pane.wait(for: "STTY-END").contains("EXIT=0"))
        let parsed = try Self.parse(cast)
        #expect(parsed.header["version"] as? Int == 2)
        #expect(parsed.header["width"] as? Int == 120 && parsed.header["height"] as? Int == 32)
        #expect((parsed.header["env"] as? [String: String])?["TERM"] == "xterm-256color")
        #expect(parsed.events.contains { $0.code == "r" && $0.data == "100x30" })
        #expect(parsed.output.contains("keep 50.2 % = 289 of 576"))
        // The recording ends with the terminal put back (the alternate screen left).
        #expect(parsed.output.contains("\u{1B}[?1049l"))
    }

    @Test(.enabled(if: ViewerTmuxTests.tmuxAvailable, "tmux is not installed (CI installs it)"))
    func theTourRecordsToo() throws {
        let cast = DeftBinary.temporaryPath("tour.cast")
        let pane = try Pane(command: "tour Samples/astronaut --record '\(cast)'", width: 120, height: 32,
                            env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        pane.wait(for: "Scrub down to 48.2 %")
        try pane.keys("x")
        pane.wait(for: "tour stopped")
        try pane.keys("q")
        #expect(pane.wait(for: "STTY-END").contains("EXIT=0"))
        let parsed = try Self.parse(cast)
        #expect(parsed.output.contains("tour: Keep everything"))
        #expect(parsed.output.contains("Scrub down to 48.2 %"))
        #expect(parsed.events.count > 5)
    }

    @Test(.enabled(if: ViewerTmuxTests.tmuxAvailable, "tmux is not installed (CI installs it)"))
    func anUnwritableRecordingFailsBeforeTheTerminalIsTouched() throws {
        let pane = try Pane(command: "Samples/astronaut --record /nonexistent-dir/x.cast", env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        let s = pane.wait(for: "STTY-END")
        #expect(s.contains("deft: /nonexistent-dir/x.cast: cannot write the recording: No such file or directory"), "\(s)")
        #expect(s.contains("EXIT=2"))
    }
}
