import Foundation

// What a signal handler may touch: plain globals and async-signal-safe calls only.
// The saved modes live in a heap block with room to spare, not in a `termios` global: AddressSanitizer
// caught tcgetattr writing glibc's 60-byte struct over a global Swift had laid out in 57 bytes,
// clobbering the flag beside it.
nonisolated(unsafe) private let savedTermios: UnsafeMutablePointer<termios> = {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
    return raw.bindMemory(to: termios.self, capacity: 1)
}()
nonisolated(unsafe) private var haveSavedTermios = false

/// Puts the terminal back however the process ends: `q`, Ctrl-C, SIGTERM, SIGHUP (an SSH drop),
/// or a crash (a failed precondition is SIGILL/SIGTRAP on Linux).
public enum TerminalGuard {
    /// Leave the alternate screen, show the cursor, reset colours, stop mouse reporting.
    /// Where the reset goes: the terminal, which is not stdout while a recording has a pipe there.
    nonisolated(unsafe) static var terminalOutput: Int32 = STDOUT_FILENO

    static let resetSequence: [UInt8] = Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r".utf8)

    /// Saves the terminal modes and installs the handlers. Call before the terminal is changed.
    public static func install() {
        if tcgetattr(STDIN_FILENO, savedTermios) == 0 { haveSavedTermios = true }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { s in
                TerminalGuard.restoreFromSignal()
                _exit(128 + s)
            }
        }
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { s in
                TerminalGuard.restoreFromSignal()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }

    /// Async-signal-safe: write() and tcsetattr() only.
    static func restoreFromSignal() {
        resetSequence.withUnsafeBufferPointer { _ = write(terminalOutput, $0.baseAddress, $0.count) }
        if haveSavedTermios { tcsetattr(STDIN_FILENO, TCSANOW, savedTermios) }
    }

    /// Handlers back to the defaults once the terminal is restored normally.
    public static func uninstall() {
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] { signal(sig, SIG_DFL) }
    }
}
