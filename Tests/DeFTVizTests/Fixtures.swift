import DeFT
import DeFTEval
import DeFTMedia
@testable import DeFTViz

/// Small synthetic samples with real pipeline scores (an untrained, seeded model).
enum Fixtures {
    static func scored(_ media: Media, layout: TokenLayout, logits: Bool = false) -> ScoredSample {
        var rng = SplitMix64(seed: 42)
        let d = 8
        let tokens = Matrix(rows: layout.count, cols: d, storage: (0..<(layout.count * d)).map { _ in rng.nextFloat(in: -1...1) })
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: d, semanticDim: 6), seed: 1)
        let l = logits ? Matrix(rows: layout.count, cols: 4, storage: (0..<(layout.count * 4)).map { _ in rng.nextFloat(in: -2...2) }) : nil
        let scores = try! DeFTPipeline.score(model, tokens: tokens, batch: 1, layout: layout, logits: l, reconstruction: true)[0]
        let sample = LoadedSample(name: "synthetic \(layout.modality.rawValue)", media: media,
                                  tokenSet: TokenSet(tokens: tokens, layout: layout, featureOrigin: "test features"))
        let z = DeFTPipeline.semantic(model, tokens)
        let comparison = Comparison(tokens: tokens, semantic: z, scores: scores)
        return ScoredSample(sample: sample, scores: scores, semantic: z, weights: model.origin.description,
                            feedbackSource: .none, comparison: comparison)
    }

    static func gradient(_ w: Int, _ h: Int, shift: Int = 0) -> RGBImage {
        RGBImage(width: w, height: h, pixels: (0..<(w * h)).flatMap { i -> [UInt8] in
            [UInt8((i % w) * 255 / max(w - 1, 1)), UInt8((i / w) * 255 / max(h - 1, 1)), UInt8((shift * 40) % 256)] })
    }

    static let image = scored(.image(gradient(48, 48)), layout: .image(height: 6, width: 6), logits: true)
    static let video = scored(.video((0..<4).map { gradient(32, 18, shift: $0) }), layout: .video(frames: 4, height: 3, width: 4))
    static let text: ScoredSample = {
        let doc = TextTokenizer.tokenize("Four score and seven years ago our fathers brought forth, upon this continent, a new nation.")
        return scored(.text(doc), layout: .text(count: doc.tokens.count))
    }()

    static func state(_ samples: [ScoredSample] = [image, video, text], width: Int = 80, height: Int = 24,
                      depth: ColorDepth = .truecolor, unicode: Bool = true) -> AppState {
        AppState(samples: samples.map { .ready($0) }, width: width, height: height, depth: depth, unicode: unicode)
    }
}
