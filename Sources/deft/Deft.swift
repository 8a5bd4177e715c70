import ArgumentParser
import DeFT
import Foundation

@main
struct Deft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deft",
        abstract: "See which tokens DeFT keeps, prunes and reconstructs — and why.",
        subcommands: [View.self, TourCommand.self, Score.self, Eval.self, Train.self, Bench.self, Bundle.self, Models.self, Encode.self],
        defaultSubcommand: View.self
    )

    /// `deft WORD` opens WORD in the viewer when WORD is a file or folder; any other first word is
    /// a mistyped command, answered with an error rather than a full-screen viewer showing one.
    static func rejectUnknownCommand(_ args: [String]) throws {
        guard let first = args.first, !first.hasPrefix("-") else { return }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() } + ["help"]
        guard !names.contains(first), !FileManager.default.fileExists(atPath: first) else { return }
        throw DeFTError(first, "no such command or input (commands: \(names.joined(separator: ", ")); an input is an existing file or folder)")
    }

    /// Every failure a user can cause ends here: one line on stderr, exit code 2, never a trap.
    static func main() {
        FastKernels.reexecIfUseful()
        FastKernels.setThreads()
        FastKernels.keepMatricesInTheHeap()
        do {
            try rejectUnknownCommand(Array(CommandLine.arguments.dropFirst()))
            var command = try parseAsRoot()
            try command.run()
            if ProcessInfo.processInfo.environment["DEFT_REPORT_PEAK_RSS"] != nil, let kb = ViewerBench.peakRSSKiB() {
                FileHandle.standardError.write(Data("peak-rss-kb \(kb)\ncpu-ms \(ViewerBench.cpuMs())\n".utf8))
            }
        } catch let error as DeFTError {
            FileHandle.standardError.write(Data("deft: \(error)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            // A failed validate() names its option and says what is allowed; a parse error (an unknown
            // option, a missing value) gets the pointer to the usage on the same line.
            let validation = message.hasPrefix("--")
            FileHandle.standardError.write(Data("deft: \(message.terminalSafe)\(validation ? "" : " (see 'deft help')")\n".utf8))   // it may quote an argument
            Foundation.exit(2)
        }
    }
}
