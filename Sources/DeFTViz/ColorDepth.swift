/// How many colours the terminal can show; decided once at start.
public enum ColorDepth: String, CaseIterable, Sendable {
    case none, ansi8 = "8", ansi16 = "16", xterm256 = "256", truecolor
}
