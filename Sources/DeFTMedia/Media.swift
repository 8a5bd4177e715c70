import DeFT

/// 8-bit RGB pixels, row-major, interleaved (alpha already composited).
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]   // width·height·3

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "pixel buffer does not match \(width)×\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public func rgb(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let o = (y * width + x) * 3
        return (pixels[o], pixels[o + 1], pixels[o + 2])
    }
}

/// One token of a text: its surface form and where it sits in the original UTF-8 bytes.
public struct TextToken: Sendable, Equatable {
    public let surface: String
    public let byteStart: Int     // offset into `text.utf8`
    public let byteEnd: Int       // exclusive
    public init(surface: String, byteStart: Int, byteEnd: Int) {
        self.surface = surface; self.byteStart = byteStart; self.byteEnd = byteEnd
    }
}

public struct TextDocument: Sendable, Equatable {
    public let text: String
    public let tokens: [TextToken]
    public init(text: String, tokens: [TextToken]) { self.text = text; self.tokens = tokens }
}

/// What the viewer draws for an input.
public enum Media: Sendable, Equatable {
    case image(RGBImage)
    case video([RGBImage])
    case text(TextDocument)
}

/// Token features for one input, with an honest name for where they came from
/// ("built-in patch features", "all-MiniLM-L6-v2 features (tokens.npy)", ...).
public struct TokenSet: Sendable {
    public let tokens: Matrix        // N × d
    public let layout: TokenLayout
    public let featureOrigin: String
    public init(tokens: Matrix, layout: TokenLayout, featureOrigin: String) {
        precondition(tokens.rows == layout.count, "token count \(tokens.rows) ≠ layout \(layout.count)")
        self.tokens = tokens; self.layout = layout; self.featureOrigin = featureOrigin.terminalSafe   // names a file
    }
}

/// A fully loaded input: what to draw, what to score, and the optional extras a bundle carries.
/// Its name (a bundle title or a file name) is made terminal-safe here, where every loader passes.
public struct LoadedSample: Sendable {
    public let name: String
    public let media: Media?
    public let tokenSet: TokenSet
    public var weightsPath: String?
    public var logits: Matrix?       // N × C
    public var gradient: Matrix?     // N × d' (∂L/∂z supplied by the user)
    public var label: Int?
    /// The names of the label's classes, when the bundle gives them.
    public var classNames: [String]?
    /// A precomputed accuracy curve beside the bundle (`deft eval accuracy --json`'s report).
    public var curvePath: String?
    /// Things the loader changed from what was asked, one line each (e.g. fewer frames than --frames).
    public var notes: [String] = []

    public init(name: String, media: Media?, tokenSet: TokenSet, weightsPath: String? = nil,
                logits: Matrix? = nil, gradient: Matrix? = nil, label: Int? = nil) {
        self.name = name.terminalSafe; self.media = media; self.tokenSet = tokenSet; self.weightsPath = weightsPath
        self.logits = logits; self.gradient = gradient; self.label = label
    }
}
