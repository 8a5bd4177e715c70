import ArgumentParser
import DeFT
import DeFTEval
import DeFTMedia
import DeFTTrain
import DeFTViz

// Every kind of option value has one type, parsed in one place, so `--help` lists what is allowed
// and a bad value fails before `run()` with the same words in every command.

extension GridSize: ExpressibleByArgument {
    /// `--grid HxW`: patches per image or frame, rows × columns.
    public init?(argument: String) { self.init(argument) }
}

/// `--size WxH`: a terminal size in cells, columns × rows (the reverse order of a grid, as terminals say it).
struct CellSize: ExpressibleByArgument, Sendable {
    let width: Int, height: Int
    init?(argument: String) {
        guard let g = GridSize(argument) else { return nil }
        width = g.height; height = g.width
    }
    init(width: Int, height: Int) { self.width = width; self.height = height }
}

extension Channel: ExpressibleByArgument {}
extension Method: ExpressibleByArgument {}
extension Modality: ExpressibleByArgument {}
extension InferenceMode: ExpressibleByArgument {}
extension ObjectiveName: ExpressibleByArgument {}

extension ColorDepth: ExpressibleByArgument {
    /// `24bit` is what COLORTERM says for truecolor; accept both spellings.
    public init?(argument: String) { self.init(rawValue: argument == "24bit" ? "truecolor" : argument) }
}
extension NeighbourSearch: ExpressibleByArgument {
    /// The one help text of `--neighbours` (score and view).
    static var help: ArgumentHelp {
        "Text neighbours: exact, approximate (faiss IVF, recall measured and reported by score) or auto (approximate above \(NeighbourSearch.autoThreshold) tokens)."
    }
}
extension CellSymbols: ExpressibleByArgument {}
extension GraphicsRequest: ExpressibleByArgument {}
