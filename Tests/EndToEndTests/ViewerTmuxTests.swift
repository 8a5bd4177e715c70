import Foundation
import Testing

/// Drives the real `deft` binary in a tmux pane, as a person over SSH would.
@Suite(.serialized) struct ViewerTmuxTests {
    final class Pane {
        let socket = "deft-test-\(UUID().uuidString.prefix(8))"
        init(command: String, width: Int = 160, height: Int = 30, env: [String: String]) throws {
            let exports = env.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let script = "cd '\(DeftBinary.packageRoot.path)' && env -i PATH=\"$PATH\" HOME=\"$HOME\" \(exports) '\(DeftBinary.url.path)' \(command); echo EXIT=$?; stty -a; echo STTY-END; sleep 60"
            try tmux(["new-session", "-d", "-s", "S", "-x", "\(width)", "-y", "\(height)", "sh", "-c", script])
        }
        /// An interactive bash with job control (prompt "READY$ ") in the package root.
        init(shellWith env: [String: String], width: Int = 160, height: Int = 30) throws {
            let exports = env.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let script = "cd '\(DeftBinary.packageRoot.path)' && exec env -i PATH=\"$PATH\" HOME=\"$HOME\" PS1='READY$ ' \(exports) bash --norc --noprofile -i"
            try tmux(["new-session", "-d", "-s", "S", "-x", "\(width)", "-y", "\(height)", "sh", "-c", script])
        }
        deinit { _ = try? tmux(["kill-server"]) }

        /// Runs tmux with posix_spawn and its output in a file: the tmux server forks from `new-session`
        /// and inherits the client's descriptors, so a pipe would never see EOF.
        @discardableResult
        func tmux(_ args: [String]) throws -> String {
            let outPath = DeftBinary.temporaryPath("tmux.out")
            defer { unlink(outPath) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + args
            var cArgs = argv.map { strdup($0) } + [nil]
            defer { cArgs.forEach { free($0) } }
            // The test runner's threads block most signals; a server spawned with that mask would
            // ignore SIGTERM and never reap its pane.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t(), all = sigset_t()
            sigemptyset(&none); sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var pid: pid_t = 0
            let rc = posix_spawnp(&pid, "tmux", &actions, &attributes, &cArgs, environ)
            guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        }

        func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", "S"])) ?? "" }
        func keys(_ k: String...) throws { try tmux(["send-keys", "-t", "S"] + k) }

        /// Polls the pane until `text` shows (no fixed sleeps); returns the screen.
        @discardableResult
        func wait(for text: String, seconds: Double = 20) -> String {
            let end = Date().addingTimeInterval(seconds)
            var s = screen()
            while !s.contains(text) && Date() < end { usleep(100_000); s = screen() }
            return s
        }

        /// The pid of the running deft, child of the pane's shell.
        func deftPID() throws -> Int32? {
            let shell = try tmux(["display-message", "-p", "-t", "S", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["pgrep", "-P", shell, "deft"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return Int32(String(decoding: data, as: UTF8.self).split(separator: "\n").first ?? "")
        }
    }

    static var tmuxAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    @Test(.enabled(if: tmuxAvailable, "tmux is not installed (CI installs it)"),
          arguments: [["TERM": "xterm-256color"], ["TERM": "xterm"], ["TERM": "xterm-256color", "NO_COLOR": "1"]])
    func scrubSwitchResizeQuit(_ env: [String: String]) throws {
        let pane = try Pane(command: "Samples/astronaut Samples/gettysburg-address", env: env.merging(["LANG": "C.UTF-8"]) { a, _ in a })
        var s = pane.wait(for: "keep 48.2 % = 277 of 576")
        #expect(s.contains("keep 48.2 % = 277 of 576"), "\(s)")
        #expect(s.contains(env["NO_COLOR"] != nil ? "no colour" : (env["TERM"] == "xterm" ? "8 colours" : "256 colours")), "\(s)")
        try pane.keys("+", "+")
        s = pane.wait(for: "keep 50.2 % = 289 of 576")
        #expect(s.contains("keep 50.2 % = 289 of 576"))
        // The astronaut has no logits for the reconstruction gate: m says so instead of faking hybrid.
        try pane.keys("m")
        s = pane.wait(for: "hybrid and adaptive need the gate")
        #expect(s.contains("mode fast"), "\(s)")
        try pane.keys("c")
        s = pane.wait(for: "saliency s_sem")
        #expect(s.contains("saliency s_sem"))
        try pane.keys("Tab")
        s = pane.wait(for: "Gettysburg Address")
        #expect(s.contains("Four score and seven years ago"))
        try pane.tmux(["resize-window", "-t", "S", "-x", "80", "-y", "24"])
        s = pane.wait(for: "? help")
        #expect(s.split(separator: "\n").allSatisfy { $0.count <= 80 })
        try pane.tmux(["resize-window", "-t", "S", "-x", "30", "-y", "8"])
        s = pane.wait(for: "too small")
        #expect(s.contains("terminal too small: 30×8"))
        try pane.tmux(["resize-window", "-t", "S", "-x", "160", "-y", "30"])
        pane.wait(for: "? help")
        try pane.keys("q")
        s = pane.wait(for: "STTY-END")
        #expect(s.contains("EXIT=0"))
        #expect(s.contains(" icanon") && s.contains(" echo "))
    }

    @Test(.enabled(if: tmuxAvailable, "tmux is not installed (CI installs it)"), arguments: [("HUP", 129), ("TERM", 143), ("INT", 130)])
    func signalsRestoreTheTerminalAndEndTheProcess(_ signal: String, _ status: Int) throws {
        let pane = try Pane(command: "Samples/astronaut", env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        pane.wait(for: "keep 48.2 %")
        let pid = try #require(try pane.deftPID())
        kill(pid, signal == "HUP" ? SIGHUP : (signal == "TERM" ? SIGTERM : SIGINT))
        let s = pane.wait(for: "STTY-END")
        #expect(s.contains("EXIT=\(status)"), "\(s)")
        #expect(s.contains(" icanon") && s.contains(" echo "), "terminal modes not restored: \(s)")
        #expect(kill(pid, 0) != 0)   // gone
    }

    /// Ctrl-Z in an interactive shell: deft stops with the terminal back in cooked mode (the shell's
    /// own `stty -a` shows it), and `fg` redraws the viewer, which still answers keys.
    @Test(.enabled(if: tmuxAvailable, "tmux is not installed (CI installs it)"))
    func ctrlZSuspendsWithATerminalRestoredAndFgRedraws() throws {
        let pane = try Pane(shellWith: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        pane.wait(for: "READY$")
        try pane.keys("'\(DeftBinary.url.path)' Samples/astronaut", "Enter")
        pane.wait(for: "keep 48.2 %")
        try pane.keys("C-z")
        var s = pane.wait(for: "Stopped")
        #expect(s.contains("Stopped"), "\(s)")
        try pane.keys("stty -a; echo STTY-END", "Enter")
        s = pane.wait(for: "STTY-END\nREADY")
        #expect(s.contains(" icanon") && s.contains(" echo "), "terminal left raw while suspended: \(s)")
        try pane.keys("clear; fg", "Enter")
        s = pane.wait(for: "keep 48.2 %")
        #expect(s.contains("keep 48.2 %"), "no redraw after fg: \(s)")
        try pane.keys("+")
        #expect(pane.wait(for: "keep 49.2 %").contains("keep 49.2 %"))
        try pane.keys("q")
        try pane.keys("echo EXIT=$?", "Enter")
        #expect(pane.wait(for: "EXIT=0").contains("EXIT=0"))
    }

    /// Idle means blocked in the kernel: two seconds without input cost (almost) no CPU.
    @Test(.enabled(if: tmuxAvailable, "tmux is not installed (CI installs it)"))
    func anIdleViewerUsesNoCPU() throws {
        let pane = try Pane(command: "Samples/astronaut", env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        pane.wait(for: "keep 48.2 %")
        let pid = try #require(try pane.deftPID())
        func cpuTicks() -> Int? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
            guard fields.count > 13, let u = Int(fields[11]), let k = Int(fields[12]) else { return nil }
            return u + k
        }
        usleep(500_000)   // let the first frame's work finish
        let before = try #require(cpuTicks())
        sleep(2)
        let after = try #require(cpuTicks())
        #expect(after - before <= 5, "an idle viewer used \(after - before) clock ticks of CPU in 2 s")
        try pane.keys("q")
        #expect(pane.wait(for: "STTY-END").contains("EXIT=0"))
    }

    /// The whole tour at 80×24 and 256 colours, sped up: every sample's title appears with a caption
    /// past the first step (so its canvas was drawn, never a stuck "loading"), and the key that
    /// stops the tour also does what it does.
    @Test(.enabled(if: tmuxAvailable, "tmux is not installed (CI installs it)"))
    func theTourRunsThroughEverySampleAndTheStoppingKeyActs() throws {
        let root = DeftBinary.packageRoot.appendingPathComponent("Samples")
        let bundles = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("deft.json").path)
                || FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("images-idx3-ubyte").path)
        }
        let pane = try Pane(command: "tour --tour-step-ms 150", width: 80, height: 24,
                            env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        for (i, name) in bundles.enumerated() {
            // The status line names the sample as "i/N title"; a bundle without a title is its folder's name.
            let manifest = root.appendingPathComponent(name).appendingPathComponent("deft.json")
            let title = (try? JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])?["title"] as? String
            let shown = "\(i + 1)/\(bundles.count) " + String((title ?? "Digit #").prefix(10))
            let end = Date().addingTimeInterval(90)
            var s = pane.screen()
            while !(s.contains(shown) && s.contains("tour: Scrub down")) && Date() < end { usleep(50_000); s = pane.screen() }
            #expect(s.contains(shown) && s.contains("tour: Scrub down"), "sample \(i + 1) (\(name)) never shown by the tour:\n\(s)")
            #expect(!s.contains("loading"), "\(s)")
        }
        try pane.keys("?")
        let s = pane.wait(for: "which tokens DeFT keeps")
        #expect(s.contains("which tokens DeFT keeps") && !s.contains("tour:"), "the stopping key did not act: \(s)")
        try pane.keys("q", "q")
        #expect(pane.wait(for: "STTY-END").contains("EXIT=0"))
    }

    /// Mistakes a first-time user makes get one line and exit code 2, never a full-screen error page.
    @Test func cliMistakesAreOneLineErrors() throws {
        let typo = try DeftBinary.run(["frobnicate"])
        #expect(typo.status == 2 && typo.stderr.contains("frobnicate: no such command or input"))
        let passwd = try DeftBinary.run(["view", "/etc/passwd", "--snapshot"])
        #expect(passwd.status == 2 && passwd.stderr.contains("has no file extension") && !passwd.stderr.contains("'.'"))
        let small = try DeftBinary.run(["view", "Samples/astronaut", "--snapshot", "--size", "100x12"])
        #expect(small.status == 2 && small.stderr.contains("--size: 100x12 is too small"))
        let folder = try DeftBinary.run(["view", "Samples", "--snapshot", "--size", "80x24"])
        #expect(folder.status == 0 && folder.stdout.contains("1/12 Astronaut"))
        let digits = try DeftBinary.run(["view", "Samples/digits", "--snapshot", "--size", "100x30", "--mode", "hybrid"])
        #expect(digits.status == 0 && digits.stdout.contains("Digit #5") && digits.stdout.contains("mode hybrid") && digits.stdout.contains("restored"))
        let text = try DeftBinary.run(["view", "Samples/gettysburg-address", "--snapshot", "--size", "100x30"])
        #expect(text.stdout.contains("···") && !text.stdout.contains("? help"))
    }

    @Test func withoutATerminalViewSaysToUseSnapshot() throws {
        let r = try DeftBinary.run(["view", "Samples/astronaut"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("use: deft view --snapshot"))
        let snap = try DeftBinary.run(["view", "Samples/astronaut", "--snapshot", "--size", "80x24"])
        #expect(snap.status == 0)
        #expect(snap.stdout.split(separator: "\n").count == 24)
        #expect(!snap.stdout.contains("\u{1B}["))
        let ansi = try DeftBinary.run(["view", "Samples/astronaut", "--snapshot", "--size", "80x24", "--color", "256"])
        #expect(ansi.stdout.contains("\u{1B}[0;38;5;"))
    }
}
