import Foundation
import Testing
@testable import DeFTViz

/// Kitty/sixel detection: the environment rules, the answers parsed from bytes, and the query over a
/// real pty and a pipe with a fake terminal that answers, answers garbage, or never answers.
@Suite struct GraphicsDetectionTests {
    static let esc = "\u{1B}"
    static let kittyOK = "\(esc)_Gi=31;OK\(esc)\\"
    static func da1(_ attributes: String) -> String { "\(esc)[?\(attributes)c" }

    @Test func theEnvironmentDecidesWhatItKnows() {
        typealias V = GraphicsDetection.EnvironmentVerdict
        func verdict(_ env: [String: String]) -> GraphicsProtocol? {
            if case .use(let p, _) = GraphicsDetection.environment(env) { return p }
            return nil
        }
        #expect(verdict(["TERM": "xterm-kitty"]) == .kitty)
        #expect(verdict(["TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"]) == .kitty)
        #expect(verdict(["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"]) == .kitty)
        #expect(verdict(["TERM": "xterm-ghostty"]) == .kitty)
        #expect(verdict(["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"]) == .sixel)
        #expect(verdict(["TERM": "foot"]) == .sixel)
        #expect(verdict(["TERM": "foot-extra"]) == .sixel)
        #expect(verdict(["TERM": "mlterm"]) == .sixel)
        // tmux wins over what the outer terminal says: its grid drops the images.
        #expect(verdict(["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"]) == .cells)
        #expect(verdict(["TERM": "tmux-256color"]) == .cells)
        #expect(verdict(["TERM": "screen-256color"]) == .cells)
        #expect(verdict(["TERM": "xterm-256color", "TERM_PROGRAM": "tmux"]) == .cells)
        #expect(verdict(["TERM": "linux"]) == .cells)
        #expect(verdict(["TERM": "dumb"]) == .cells)
        #expect(verdict([:]) == .cells)
        // An ordinary xterm-alike: only its answer can tell.
        #expect(GraphicsDetection.environment(["TERM": "xterm-256color"]) == V.ask)
        #expect(GraphicsDetection.environment(["TERM": "xterm-256color", "TERM_PROGRAM": "vscode"]) == V.ask)
    }

    @Test func answersAreParsedFromBytes() {
        func parse(_ s: String) -> GraphicsDetection.Reply { GraphicsDetection.parse(Array(s.utf8)) }
        let kitty = parse(Self.kittyOK + "\(Self.esc)[6;20;10t" + Self.da1("62;22"))
        #expect(kitty.kitty && !kitty.sixel && kitty.complete)
        #expect(kitty.cell == PixelSize(width: 10, height: 20))
        #expect(GraphicsDetection.protocolFor(kitty) == .kitty)

        let sixel = parse(Self.da1("62;4;6;22"))
        #expect(!sixel.kitty && sixel.sixel && sixel.deviceAttributes == [62, 4, 6, 22])
        #expect(GraphicsDetection.protocolFor(sixel) == .sixel)
        // 4 must be an attribute of its own, not a digit of one (42, 14).
        #expect(GraphicsDetection.protocolFor(parse(Self.da1("64;14;42;22"))) == .cells)
        #expect(GraphicsDetection.protocolFor(parse(Self.da1("1;2"))) == .cells)
        // Both: kitty is preferred (it keeps the pixels; re-placing sends nothing again).
        #expect(GraphicsDetection.protocolFor(parse(Self.kittyOK + Self.da1("62;4"))) == .kitty)
        // Kitty's refusal, and an OK for another image, are no support.
        #expect(!parse("\(Self.esc)_Gi=31;ENOTSUPPORTED:no graphics\(Self.esc)\\" + Self.da1("62")).kitty)
        #expect(!parse("\(Self.esc)_Gi=7;OK\(Self.esc)\\" + Self.da1("62")).kitty)
        // Only an answer before DA1 counts: after it the terminal has finished answering this query.
        #expect(!parse(Self.da1("62") + Self.kittyOK).kitty)
        // Keys typed while waiting, DA2 and an OSC answer around the real ones are skipped.
        let noisy = parse("q\u{7}x\(Self.esc)]11;rgb:0000/0000/0000\(Self.esc)\\\(Self.esc)[>1;10;0c" + Self.kittyOK + "j" + Self.da1("65;4;1"))
        #expect(noisy.kitty && noisy.sixel)
    }

    @Test func garbageOrNothingMeansCells() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let noise = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let reply = GraphicsDetection.parse(noise)
            // Random bytes may by chance hold a DA1 answer; they must never claim kitty.
            #expect(!reply.kitty)
        }
        let cut = GraphicsDetection.parse(Array("\(Self.esc)_Gi=31;O".utf8) + Array("\(Self.esc)[?62;".utf8))
        #expect(!cut.kitty && !cut.complete)
        #expect(GraphicsDetection.parse([]) == GraphicsDetection.Reply())
        #expect(GraphicsDetection.protocolFor(GraphicsDetection.parse([])) == .cells)
    }

    @Test func forcedOrDetectedAndOnlyAskedWhenItMatters() {
        var asked = 0
        func ask(_ s: String?) -> () -> [UInt8]? { { asked += 1; return s.map { Array($0.utf8) } } }
        let xterm = ["TERM": "xterm-256color"], tmux = ["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0"]

        #expect(GraphicsDetection.decide(.auto, environment: xterm, ask: ask(Self.da1("62;4"))).drawing == .sixel)
        #expect(GraphicsDetection.decide(.auto, environment: xterm, ask: ask(Self.kittyOK + Self.da1("62"))).drawing == .kitty)
        #expect(GraphicsDetection.decide(.auto, environment: xterm, ask: ask("")).drawing == .cells)
        #expect(GraphicsDetection.decide(.auto, environment: xterm, ask: ask(nil)).reason == "not a terminal")
        #expect(asked == 4)
        // Settled by the environment or by the option: no question.
        #expect(GraphicsDetection.decide(.auto, environment: ["TERM": "xterm-kitty"], ask: ask(nil)).drawing == .kitty)
        #expect(GraphicsDetection.decide(.auto, environment: tmux, ask: ask(Self.da1("62;4"))).drawing == .cells)
        #expect(GraphicsDetection.decide(.cells, environment: ["TERM": "xterm-kitty"], ask: ask(nil)).drawing == .cells)
        let forcedKitty = GraphicsDetection.decide(.kitty, environment: tmux, ask: ask(nil))
        #expect(forcedKitty.drawing == .kitty && forcedKitty.tmuxPassthrough)
        let forcedSixel = GraphicsDetection.decide(.sixel, environment: tmux, ask: ask(nil))
        #expect(forcedSixel.drawing == .sixel && !forcedSixel.tmuxPassthrough)
        #expect(!GraphicsDetection.decide(.kitty, environment: xterm, ask: ask(nil)).tmuxPassthrough)
        #expect(asked == 4)
    }

    // MARK: the query on a real pty (the far end plays the terminal) and on pipes

    /// A pty pair: the far end (the "terminal") and the near end the query runs on.
    static func openPty() throws -> (terminal: Int32, tty: Int32) {
        // posix_openpt and ptsname do not come through Swift's Glibc module: the same, by hand
        // (Linux's TIOCSPTLCK unlocks the slave, TIOCGPTN names it).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw DeFTTestError("no /dev/ptmx") }
        var unlock: Int32 = 0, number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            close(master); throw DeFTTestError("cannot unlock the pty")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { close(master); throw DeFTTestError("no pty slave") }
        return (master, slave)
    }

    /// Plays a terminal on `fd`: waits for DA1 in the query, then writes `answer` (nil: stays silent).
    static func fakeTerminal(_ fd: Int32, answer: String?) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var seen: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 256)
            while !String(decoding: seen, as: UTF8.self).hasSuffix("\u{1B}[c") {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 2000) > 0 else { break }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                seen += buffer[0..<n]
            }
            if let answer, seen == GraphicsDetection.query { _ = TerminalQuery.writeAll(fd, Array(answer.utf8)) }
            done.signal()
        }
        return done
    }

    static func ask(_ input: Int32, _ output: Int32, timeoutMs: Int = 150) -> (reply: GraphicsDetection.Reply, ms: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let bytes = TerminalQuery.exchange(input: input, output: output, query: GraphicsDetection.query, timeoutMs: timeoutMs) {
            GraphicsDetection.parse($0).complete
        }
        return (GraphicsDetection.parse(bytes), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }

    static func localModes(_ fd: Int32) -> tcflag_t {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
        defer { raw.deallocate() }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        let t = raw.bindMemory(to: termios.self, capacity: 1)
        tcgetattr(fd, t)
        return t.pointee.c_lflag
    }

    @Test func aPtyThatAnswersKittyAndSixel() throws {
        let (terminal, tty) = try Self.openPty()
        defer { close(terminal); close(tty) }
        let before = Self.localModes(tty)
        #expect(before & tcflag_t(ICANON) != 0)        // a fresh pty is canonical: the answer has no newline
        let done = Self.fakeTerminal(terminal, answer: Self.kittyOK + "\(Self.esc)[6;17;8t" + Self.da1("62;4;22"))
        let (reply, _) = Self.ask(tty, tty, timeoutMs: 2000)
        _ = done.wait(timeout: .now() + 3)
        #expect(reply.kitty && reply.sixel && reply.complete)
        #expect(reply.cell == PixelSize(width: 8, height: 17))
        #expect(Self.localModes(tty) == before)
    }

    @Test func aPtyWithoutSixelAnswersOnlyDA1() throws {
        let (terminal, tty) = try Self.openPty()
        defer { close(terminal); close(tty) }
        let done = Self.fakeTerminal(terminal, answer: Self.da1("62;22"))
        let (reply, _) = Self.ask(tty, tty, timeoutMs: 2000)
        _ = done.wait(timeout: .now() + 3)
        #expect(reply.complete && !reply.kitty && !reply.sixel)
    }

    @Test func aSilentPtyEndsAtTheTimeoutAndIsRestored() throws {
        let (terminal, tty) = try Self.openPty()
        defer { close(terminal); close(tty) }
        let before = Self.localModes(tty)
        let done = Self.fakeTerminal(terminal, answer: nil)
        let (reply, ms) = Self.ask(tty, tty, timeoutMs: 150)
        _ = done.wait(timeout: .now() + 3)
        #expect(reply == GraphicsDetection.Reply())
        // It returned (no hang) and not before the deadline; the bound is loose for a busy machine.
        #expect(ms >= 140 && ms < 2000)
        #expect(Self.localModes(tty) == before)
    }

    @Test func garbageWithoutAnEndWaitsOnlyTheTimeout() throws {
        let (terminal, tty) = try Self.openPty()
        defer { close(terminal); close(tty) }
        let done = Self.fakeTerminal(terminal, answer: "\(Self.esc)_Gi=31;OK\u{7F}\u{1}\(Self.esc)[?6")
        let (reply, ms) = Self.ask(tty, tty, timeoutMs: 150)
        _ = done.wait(timeout: .now() + 3)
        #expect(!reply.complete && !reply.kitty)
        #expect(ms < 2000)
    }

    @Test func pipesAreNoTerminalButStillBounded() throws {
        var toQuery: [Int32] = [0, 0], fromQuery: [Int32] = [0, 0]
        #expect(pipe(&toQuery) == 0 && pipe(&fromQuery) == 0)
        defer { for fd in toQuery + fromQuery { close(fd) } }
        // Nothing written back: the read side stays empty until the deadline.
        let (silent, ms) = Self.ask(toQuery[0], fromQuery[1], timeoutMs: 100)
        #expect(silent == GraphicsDetection.Reply() && ms < 2000)
        // An answer already waiting is read at once.
        _ = TerminalQuery.writeAll(toQuery[1], Array((Self.kittyOK + Self.da1("62;4")).utf8))
        let (answered, _) = Self.ask(toQuery[0], fromQuery[1], timeoutMs: 2000)
        #expect(answered.kitty && answered.sixel)
        // The query itself went out whole.
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fromQuery[0], $0.baseAddress, $0.count) }
        #expect(Array(buffer[0..<max(n, 0)]) == GraphicsDetection.query + GraphicsDetection.query)
    }

    @Test func theQueryIsKittysThenCellSizeThenDA1() {
        let q = String(decoding: GraphicsDetection.query, as: UTF8.self)
        #expect(q == "\(Self.esc)_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\(Self.esc)\\\(Self.esc)[16t\(Self.esc)[c")
    }
}

struct DeFTTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
