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
// The handlers that were there before ours (the Swift runtime's backtracer, a sanitizer's), by signal
// number: ours restores the terminal, then hands the signal on to them, as htop does.
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    p.initialize(repeating: sigaction(), count: 65)
    return p
}()

/// Puts the terminal back however the process ends: `q`, Ctrl-C, SIGTERM, SIGHUP (an SSH drop),
/// or a crash (a failed precondition is SIGILL/SIGTRAP on Linux).
public enum TerminalGuard {
    /// Leave the alternate screen, show the cursor, reset colours, stop mouse reporting.
    /// Where the reset goes: the terminal, which is not stdout while a recording has a pipe there.
    nonisolated(unsafe) static var terminalOutput: Int32 = STDOUT_FILENO

    static let resetSequence: [UInt8] = Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r".utf8)

    static let quitSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let crashSignals = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE]

    /// Saves the terminal modes and installs the handlers. Call before the terminal is changed.
    public static func install() {
        if tcgetattr(STDIN_FILENO, savedTermios) == 0 { haveSavedTermios = true }
        for sig in quitSignals + crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { s in
                TerminalGuard.restoreFromSignal()
                // SIG_DFL is 0 and SIG_IGN 1: with nothing of its own there before, a quit signal exits.
                let previous = unsafeBitCast(previousActions[Int(s)].__sigaction_handler, to: Int.self)
                if (s == SIGINT || s == SIGTERM || s == SIGHUP || s == SIGQUIT), previous == 0 || previous == 1 {
                    _exit(128 + s)
                }
                // Hand on: the previous handler (or the default, a core dump) runs when this one
                // returns, with the crash's own context intact for a backtracer.
                sigaction(s, previousActions + Int(s), nil)
                raise(s)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, previousActions + Int(sig))
        }
    }

    /// Async-signal-safe: write() and tcsetattr() only.
    static func restoreFromSignal() {
        resetSequence.withUnsafeBufferPointer { _ = write(terminalOutput, $0.baseAddress, $0.count) }
        if haveSavedTermios { tcsetattr(STDIN_FILENO, TCSANOW, savedTermios) }
    }

    /// The handlers that were there before, once the terminal is restored normally.
    public static func uninstall() {
        for sig in quitSignals + crashSignals { sigaction(sig, previousActions + Int(sig), nil) }
    }
}
