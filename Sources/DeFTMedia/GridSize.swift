/// A patch grid, rows × columns (per frame for video).
public struct GridSize: Sendable, Equatable, Hashable {
    /// Most patches in one frame deft builds tokens for: the 512×512 a manifest allows.
    public static let maxPatches = 512 * 512
    public let height: Int
    public let width: Int
    public init(height: Int, width: Int) { self.height = height; self.width = width }

    /// "24x24" → 24×24.
    public init?(_ text: String) {
        let p = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, p[0] > 0, p[1] > 0 else { return nil }
        self.init(height: p[0], width: p[1])
    }
}
