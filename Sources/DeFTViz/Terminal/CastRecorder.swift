import DeFT
import Foundation

/// Records what deft writes to the terminal as an asciicast v2 file. While recording, stdout is a
/// pipe: ncurses (6.x) writes its buffered output with write(2) on its output descriptor, never
/// through the FILE*, so a cookie stream cannot see it. A relay thread copies the pipe to the
/// terminal first and then appends an output event. With stdout not a terminal, ncurses takes its
/// terminal modes and size from stderr, which is still the terminal.
public final class CastRecorder: @unchecked Sendable {
    private let castFD: Int32
    private let lock = NSLock()
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastTime = 0.0
    /// The terminal (a duplicate of the original stdout), and the pipe that stands in for it.
    private let terminalFD: Int32
    private let pipeRead: Int32
    private let pipeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)
    private var running = false
    private var begun = false

    /// Opens (truncates) the cast file and makes the pipe; fails with a one-line error before any
    /// terminal change.
    public init(path: String) throws {
        func failure(_ what: String) -> DeFTError { DeFTError(path, "\(what): \(String(cString: strerror(errno)))") }
        castFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard castFD >= 0 else { throw failure("cannot write the recording") }
        var fds: [Int32] = [0, 0]
        terminalFD = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0)
        guard terminalFD >= 0, pipe(&fds) == 0 else {
            let error = failure("cannot record the terminal")
            close(castFD)
            if terminalFD >= 0 { close(terminalFD) }
            throw error
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        (pipeRead, pipeWrite) = (fds[0], fds[1])
    }

    deinit {
        if !begun { close(pipeWrite); close(pipeRead); close(terminalFD) }
        close(castFD)
    }

    /// Writes the header and puts the pipe on stdout. Call before ncurses starts.
    func begin() {
        guard !begun else { return }
        begun = true
        var ws = winsize()
        let sized = ioctl(terminalFD, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0
        append(Asciicast.header(width: sized ? Int(ws.ws_col) : 80, height: sized ? Int(ws.ws_row) : 24,
                                timestamp: Int(Date().timeIntervalSince1970), environment: ProcessInfo.processInfo.environment))
        dup2(pipeWrite, STDOUT_FILENO)
        close(pipeWrite)          // stdout is now the pipe's only write end: restoring it gives the relay EOF
        TerminalGuard.terminalOutput = terminalFD
        running = true
        let thread = Thread { [self] in relay() }
        thread.start()
    }

    /// Puts the terminal back on stdout, lets the relay drain the pipe, closes the file. Call after endwin.
    func end() {
        guard running else { return }
        running = false
        dup2(terminalFD, STDOUT_FILENO)      // closes the pipe's only write end: the relay reads EOF
        // Bounded: a child that inherited the pipe must not hang the exit.
        _ = finished.wait(timeout: .now() + 2)
        TerminalGuard.terminalOutput = STDOUT_FILENO
        close(terminalFD)
    }

    func resized(width: Int, height: Int) {
        record { Asciicast.resize(at: $0, width: width, height: height) }
    }

    private func relay() {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var carry: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipeRead, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            // The screen first: recording must not delay what the user sees.
            buffer.withUnsafeBytes { raw in
                var off = 0
                while off < n {
                    let w = write(terminalFD, raw.baseAddress! + off, n - off)
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break }
                    off += w
                }
            }
            carry += buffer[0..<n]
            let (complete, rest) = Asciicast.splitUTF8(carry)
            if !complete.isEmpty {
                let text = String(decoding: complete, as: UTF8.self)
                record { Asciicast.output(at: $0, text) }
            }
            carry = Array(rest)
        }
        if !carry.isEmpty {
            let text = String(decoding: carry, as: UTF8.self)
            record { Asciicast.output(at: $0, text) }
        }
        close(pipeRead)
        finished.signal()
    }

    private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// One whole line per write, under the lock, stamped inside it: events from the relay and from
    /// resizes never interleave and their times never go backwards.
    private func record(_ line: (Double) -> String) {
        lock.lock()
        defer { lock.unlock() }
        lastTime = max(lastTime, now())
        append(line(lastTime))
    }

    private func append(_ line: String) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let w = write(castFD, raw.baseAddress! + off, raw.count - off)
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { break }
                off += w
            }
        }
    }
}
