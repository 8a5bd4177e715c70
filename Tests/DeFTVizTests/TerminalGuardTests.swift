import Foundation
import Testing
@testable import DeFTViz

nonisolated(unsafe) private var previousHandlerRan: Int32 = 0

/// The guard restores the terminal and then hands a signal on to whoever handled it before
/// (the Swift runtime's backtracer, a sanitizer), instead of swallowing it.
@Suite(.serialized) struct TerminalGuardTests {
    @Test func aSignalReachesTheHandlerThatWasThereBefore() throws {
        let sink = open("/dev/null", O_WRONLY)
        defer { close(sink) }
        let savedOutput = TerminalGuard.terminalOutput
        TerminalGuard.terminalOutput = sink
        defer { TerminalGuard.terminalOutput = savedOutput }

        var mine = sigaction(), before = sigaction()
        mine.__sigaction_handler.sa_handler = { s in previousHandlerRan = s }
        sigemptyset(&mine.sa_mask)
        sigaction(SIGQUIT, &mine, &before)
        defer { sigaction(SIGQUIT, &before, nil) }

        // The test runner's threads block signals; this one must take SIGQUIT for raise() to deliver it.
        var unblock = sigset_t(), oldMask = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGQUIT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, &oldMask)
        defer { pthread_sigmask(SIG_SETMASK, &oldMask, nil) }

        TerminalGuard.install()
        raise(SIGQUIT)           // with a handler of its own there before, SIGQUIT must not exit
        #expect(previousHandlerRan == SIGQUIT)
        TerminalGuard.uninstall()
        var now = sigaction()
        sigaction(SIGQUIT, nil, &now)
        #expect(unsafeBitCast(now.__sigaction_handler, to: Int.self) == unsafeBitCast(mine.__sigaction_handler, to: Int.self))
    }
}
