import ArgumentParser
import DeFT
import DeFTEval
import DeFTMedia
import DeFTViz
import Foundation

/// `deft tour`: plays through the samples until a key is pressed.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tour", abstract: "Play a captioned tour of the samples; any key takes over.")

    @OptionGroup var options: ViewOptions

    @Option(name: .customLong("tour-step-ms"), help: "How long each step stays on screen, in milliseconds.")
    var stepMs = Tour.defaultStepMs

    func validate() throws {
        guard stepMs >= 100, stepMs <= 60_000 else { throw ValidationError("--tour-step-ms: give 100 to 60000 milliseconds, got \(stepMs)") }
    }

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw DeFTError("", "deft tour needs a terminal")
        }
        var settings = try options.settings()
        settings.tour = true
        settings.tourStepMs = stepMs
        let (paths, names) = try options.resolvedInputs()
        Viewer.run(paths: paths, names: names, settings: settings, recorder: try options.recorder())
    }
}
