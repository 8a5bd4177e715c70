import DeFT
import DeFTMedia

/// `--grid HxW` as every command reads it.
enum GridOption {
    static func parse(_ text: String?) throws -> GridSize? {
        guard let text else { return nil }
        guard let g = GridSize(text) else { throw DeFTError("--grid", "expected HxW with positive whole numbers, got '\(text)'") }
        _ = try SizeLimits.product([g.height, g.width], source: "--grid", what: "a grid of", limit: GridSize.maxPatches)
        return g
    }
}
