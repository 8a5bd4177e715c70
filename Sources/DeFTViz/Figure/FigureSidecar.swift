import DeFT
import Foundation

/// What is written beside every figure (fig.png → fig.json): the exact selection of every panel and
/// the scores it came from, so a figure can always be traced back to its input and weights.
public struct FigureSidecar: Codable, Equatable, Sendable {
    public struct Panel: Codable, Equatable, Sendable {
        public let method: String
        public let ratio: Double
        public let k: Int
        /// The path taken (adaptive resolves to fast or hybrid; baselines are fast).
        public let path: String
        public let kept: [Int]
        /// Dropped and carried by nothing.
        public let pruned: [Int]
        /// Pruned tokens the recoverable dictionary restores (hybrid).
        public let reconstructed: [Int]
        /// ToMe: token → the kept token it was merged into (merged tokens only).
        public let mergedInto: [String: Int]?
    }

    public struct Scores: Codable, Equatable, Sendable {
        public let combined: [Float]
        public let saliency: [Float]
        public let feedback: [Float]
        public let group: [Float]
    }

    public let input: String
    public let sample: String
    public let features: String
    public let weights: String
    public let feedback: String?
    public let layout: TokenLayout
    public let tokens: Int
    public let mode: String
    public let channel: String
    public let overlay: Bool
    public let caption: [String]
    public let panels: [Panel]
    public let scores: Scores

    public init(_ model: FigureModel) {
        input = model.input; sample = model.sampleName; features = model.features; weights = model.weights
        feedback = model.feedbackSource
        layout = model.layout; tokens = model.scores.count
        mode = model.mode.rawValue; channel = model.channel.rawValue; overlay = model.overlay
        caption = model.caption
        panels = model.panels.map { p in
            let n = p.isKept.count
            var merged: [String: Int]?
            if let anchor = p.anchor {
                merged = [:]
                for i in 0..<n where p.isMerged(i) { merged![String(i)] = anchor[i] }
            }
            return Panel(method: p.method.rawValue, ratio: p.ratio, k: p.k, path: p.path.rawValue,
                         kept: (0..<n).filter { p.isKept[$0] }, pruned: (0..<n).filter { p.isPruned($0) },
                         reconstructed: (0..<n).filter { p.isReconstructed[$0] }, mergedInto: merged)
        }
        let s = model.scores
        scores = Scores(combined: s.combined, saliency: s.saliency, feedback: s.feedback, group: s.group)
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        // A non-finite score must not make the sidecar unwritable.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(self)
    }
}
