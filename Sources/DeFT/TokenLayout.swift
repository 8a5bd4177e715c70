/// What kind of input a token set came from; decides the group neighbourhood.
public enum Modality: String, CaseIterable, Sendable, Codable {
    case image, video, text
}

/// The DeFT inference modes (DeFT.md §4).
public enum InferenceMode: String, CaseIterable, Sendable, Codable {
    case fast, hybrid, adaptive
}

/// How the N tokens of one input sit in space and time.
///
/// Image: one frame of `height × width` patches (row-major). Video: `frames` such grids,
/// frame-major. Text: `frames = height = 1`, `width = N` (no grid; neighbours are semantic).
public struct TokenLayout: Equatable, Sendable, Codable {
    public let modality: Modality
    public let frames: Int
    public let height: Int
    public let width: Int

    public var count: Int { frames * height * width }
    public var tokensPerFrame: Int { height * width }

    public static func image(height: Int, width: Int) -> TokenLayout {
        TokenLayout(modality: .image, frames: 1, height: height, width: width)
    }
    public static func video(frames: Int, height: Int, width: Int) -> TokenLayout {
        TokenLayout(modality: .video, frames: frames, height: height, width: width)
    }
    public static func text(count: Int) -> TokenLayout {
        TokenLayout(modality: .text, frames: 1, height: 1, width: count)
    }

    /// (frame, row, column) of token `i`.
    public func position(of i: Int) -> (frame: Int, row: Int, col: Int) {
        let f = i / tokensPerFrame, s = i % tokensPerFrame
        return (f, s / width, s % width)
    }
}
