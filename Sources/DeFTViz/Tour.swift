import DeFT

/// The reviewers' tour: a scripted walk through what deft shows, one captioned step at a time.
/// Each step sets part of the state; ticks advance it; any key hands control back.
public struct Tour: Sendable, Equatable {
    public var step = 0
    public var ticks = 0

    /// Ticks each step lasts; the run loop ticks every `stepMs / ticksPerStep`.
    public static let ticksPerStep = 10
    /// Long enough to read a caption aloud.
    public static let defaultStepMs = 1600

    struct Step {
        let caption: String
        /// Shown only on samples whose reconstruction gate has logits (hybrid, adaptive).
        var needsGate = false
        let apply: @Sendable (inout AppState) -> Void
    }

    static let steps: [Step] = [
        Step(caption: "Keep everything: every patch at full colour, coloured by the combined DeFT score") { s in
            s.ratio = 1; s.mode = .fast; s.channel = .combined; s.overlay = true },
        Step(caption: "Scrub down to 48.2 %: the paper's ratio — pruned tokens fade") { s in s.ratio = 0.75 },
        Step(caption: "Scrub down to 48.2 %: the paper's ratio — pruned tokens fade") { s in s.ratio = DeFTConfig.paperRatio },
        Step(caption: "Keep only 10 %: what survives is what DeFT ranks highest") { s in s.ratio = 0.10 },
        Step(caption: "Saliency alone: what the scoring MLP sees in each token") { s in s.ratio = DeFTConfig.paperRatio; s.channel = .saliency },
        Step(caption: "Group score: agreement with neighbours (8 around a patch, ±2 frames, 5 nearest words)") { s in s.channel = .group },
        Step(caption: "Rank: brighter = kept earlier as the ratio grows") { s in s.channel = .rank },
        Step(caption: "Overlay off: the real pixels, kept bright and pruned dimmed") { s in s.overlay = false; s.channel = .combined },
        Step(caption: "Hybrid mode: pruned tokens the recoverable dictionary brings back are marked", needsGate: true) { s in s.mode = .hybrid },
        Step(caption: "Adaptive mode: hybrid only when the model is uncertain — the status says why", needsGate: true) { s in s.mode = .adaptive },
        Step(caption: "Against a baseline: DeFT beside uniform sampling at the same ratio — magenta marks where they differ") { s in
            s.mode = .fast; s.baseline = .uniform },
        Step(caption: "Against ToMe: merging instead of pruning — each merge group has its own tint") { s in s.baseline = .tome },
        Step(caption: "Retention curves: how well the kept tokens stand for all of them, ratio by ratio") { s in s.showCurves = true },
        Step(caption: "Next sample") { s in
            s.baseline = nil; s.showCurves = false
            s.mode = .fast; s.overlay = true; s.ratio = 1; s.cursor = 0; s.current = (s.current + 1) % max(s.samples.count, 1) },
    ]

    var caption: String { Self.steps[step % Self.steps.count].caption }
}
