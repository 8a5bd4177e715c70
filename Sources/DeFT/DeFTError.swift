/// Every error a user can cause. `description` is the one line the CLI prints: it names the
/// input and the problem. It is made terminal-safe because a problem may quote a file's content
/// (a tensor name, a JSON value, a path) and must stay one harmless line.
public struct DeFTError: Error, CustomStringConvertible, Equatable, Sendable {
    public let source: String   // the file (or option) at fault
    public let problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { (source.isEmpty ? problem : "\(source): \(problem)").terminalSafe }
}
