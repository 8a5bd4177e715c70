import DeFTEval

/// Everything that can happen to the viewer. `update(state, event)` is pure over these: the
/// results of side effects (a sample scored, a comparison built) come back through here too.
public enum Event: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// Animation clock (the tour); never sent while idle.
    case tick
    /// The answer to `Command.load`: the scored sample, or the one-line error.
    case loaded(sampleIndex: Int, Result<ScoredSample, LoadFailure>)
    /// The answer to `Command.compare`.
    case compared(sampleIndex: Int, Comparison)
    /// The answer to `Command.export`: where the figure went, or why it did not.
    case exported(message: String)
}

/// Why a sample could not be opened, as the one line the screen shows.
public struct LoadFailure: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab
    case function(Int)
    case ctrl(Character)
}

public struct MouseEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case press, release, wheelUp, wheelDown, drag }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}
