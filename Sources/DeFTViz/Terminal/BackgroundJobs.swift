import Foundation

/// Runs the run loop's slow side effects (open and score a sample, build a comparison) on one
/// background queue, so keys, resizes and `q` keep working while they run. Results wait here
/// until the run loop collects them and feeds them to `update` as events.
final class BackgroundJobs: @unchecked Sendable {
    private let queue = DispatchQueue(label: "deft.jobs", qos: .userInitiated)
    private let lock = NSLock()
    private var finished: [Event] = []
    private var running = 0

    /// True while a job is queued or running: the run loop then polls instead of blocking.
    var busy: Bool { lock.withLock { running > 0 || !finished.isEmpty } }

    func submit(_ work: @escaping @Sendable () -> Event) {
        lock.withLock { running += 1 }
        queue.async { [self] in
            let event = work()
            lock.withLock { finished.append(event); running -= 1 }
        }
    }

    /// The results that are ready, oldest first.
    func collect() -> [Event] {
        lock.withLock { defer { finished.removeAll() }; return finished }
    }
}
