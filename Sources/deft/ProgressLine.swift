import DeFTMedia
import Foundation

/// A progress bar redrawn in place on a terminal; a plain line every twentieth of the run otherwise.
final class ProgressLine {
    let total: Int, first: Int
    /// What is counted ("step", "image").
    let unit: String
    let tty = isatty(STDERR_FILENO) != 0
    /// Off a terminal: a line each time a twentieth of the work is crossed, whatever the step size.
    private var lastBucket = -1

    init(total: Int, first: Int, unit: String = "step") { self.total = total; self.first = first; self.unit = unit }

    func update(step: Int, text: String, elapsed: Double, done: Int) {
        let rate = Double(done) / max(elapsed, 1e-9)
        if tty {
            let width = 24, filled = Int(Double(width) * Double(step) / Double(total))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(format: "\r\u{1B}[2K%@ %d/%d ▕%@▏ %@ · %.1f %@s/s", unit, step, total, bar, text, rate, unit)
            FileHandle.standardError.write(Data(line.utf8))
        } else if step == total || (step - first) * 20 / max(total - first, 1) != lastBucket {
            lastBucket = (step - first) * 20 / max(total - first, 1)
            FileHandle.standardError.write(Data(String(format: "%@ %d/%d  %@  %.1f %@s/s\n", unit, step, total, text, rate, unit).utf8))
        }
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// A long load's progress (`LoadOptions.progress`) drawn on stderr while stderr is a terminal: one
/// `ProgressLine` per stage (decoding, encoding), finished when the stage is. Nothing when stderr is
/// a file or a pipe: scripts read the report, not the bar.
final class LoadProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var stage: String?
    private var bar: ProgressLine?
    private var start = Date()

    /// The hook to put in `LoadOptions.progress`, or nil when stderr is not a terminal.
    static func onTerminal() -> (@Sendable (LoadProgress) -> Void)? {
        guard isatty(STDERR_FILENO) != 0 else { return nil }
        let drawer = LoadProgressBar()
        return { drawer.hear($0) }
    }

    func hear(_ p: LoadProgress) {
        // A single step is over before a bar could say anything.
        guard p.total > 1 else { return }
        lock.withLock {
            // A stage's clock starts when the one before it ended (or at the load's start), not at its
            // own first step: that step's time belongs to its rate.
            if bar == nil || stage != p.stage {
                if bar != nil { bar?.finish(); start = Date() }
                bar = ProgressLine(total: p.total, first: 0, unit: p.unit)
                stage = p.stage
            }
            bar?.update(step: p.done, text: p.stage, elapsed: Date().timeIntervalSince(start), done: p.done)
            if p.done >= p.total { bar?.finish(); bar = nil; start = Date() }
        }
    }
}
