import Foundation

/// One question to the terminal and whatever it answers within a deadline: the only tty I/O of the
/// graphics detection. Never blocks past the deadline, and puts the tty's modes back as it found them.
public enum TerminalQuery {
    /// Writes `query` to `output`, then reads `input` until `isComplete` says the answer is all there,
    /// the deadline passes, or the input ends. While it waits, `input` (if a tty) is switched out of
    /// canonical mode and echo, so the answer arrives at once and does not show on screen.
    public static func exchange(input: Int32, output: Int32, query: [UInt8], timeoutMs: Int,
                                isComplete: ([UInt8]) -> Bool) -> [UInt8] {
        // A heap block with room to spare, as the terminal guard keeps its copy: glibc's termios is
        // larger than the layout Swift gives the imported struct.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { raw.deallocate() }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let saved = raw.bindMemory(to: termios.self, capacity: 1)
        let changed = (raw + 256).bindMemory(to: termios.self, capacity: 1)
        let isTTY = tcgetattr(input, saved) == 0
        if isTTY {
            memcpy(changed, saved, 256)
            changed.pointee.c_lflag &= ~tcflag_t(ICANON | ECHO)
            withUnsafeMutableBytes(of: &changed.pointee.c_cc) { cc in
                cc[Int(VMIN)] = 0; cc[Int(VTIME)] = 0
            }
            tcsetattr(input, TCSANOW, changed)
        }
        defer { if isTTY { tcsetattr(input, TCSANOW, saved) } }

        guard writeAll(output, query) else { return [] }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(timeoutMs, 0)) * 1_000_000
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !isComplete(answer) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            var fds = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, Int32(max(1, (deadline - now) / 1_000_000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { break }
            answer += buffer[0..<n]
        }
        // An answer cut off by the deadline must not reach the viewer as keystrokes.
        if isTTY && !isComplete(answer) { tcflush(input, TCIFLUSH) }
        return answer
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// `--graphics` decided on this process's terminal: stdin and stdout must both be one for the query.
    public static func detectGraphics(_ request: GraphicsRequest) -> GraphicsDecision {
        GraphicsDetection.decide(request, environment: ProcessInfo.processInfo.environment) {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
            // A Ctrl-C during the wait still leaves the tty as it was.
            TerminalGuard.install()
            defer { TerminalGuard.uninstall() }
            return exchange(input: STDIN_FILENO, output: STDOUT_FILENO, query: GraphicsDetection.query,
                            timeoutMs: GraphicsDetection.timeoutMs) { GraphicsDetection.parse($0).complete }
        }
    }

    /// The size of one cell in pixels from the kernel's window size, nil when the terminal does not fill it in.
    public static func cellPixels(_ fd: Int32) -> PixelSize? {
        var ws = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0, ws.ws_xpixel > 0, ws.ws_ypixel > 0 else { return nil }
        return PixelSize(width: Int(ws.ws_xpixel) / Int(ws.ws_col), height: Int(ws.ws_ypixel) / Int(ws.ws_row))
    }
}
