import DeFT
import Foundation

/// The task objectives a user can name for the feedback signal (`--objective`) or for training.
/// `none` scores without feedback, as the paper's inference does.
public enum ObjectiveName: String, CaseIterable, Sendable, Codable {
    case classify, reconstruct, none
}

/// Where the feedback signal's ∂L/∂z came from. Shown in the viewer's panel and written into reports,
/// so a ranking can always be traced to the loss that shaped it.
public enum FeedbackSource: Sendable, Equatable, CustomStringConvertible {
    /// A gradient the user supplied (`--grad`).
    case file(String)
    /// The bundle's own gradient.
    case bundle
    /// The classifier head beside the weights; `label` nil: its own all-token prediction is the target.
    case classify(label: Int?)
    /// The reader beside the weights, likewise.
    case reader(label: Int?)
    case reconstruct
    /// The reconstruct objective over each token's group neighbours: the default above
    /// `ScoringService.allPairsFeedbackLimit` tokens.
    case reconstructNeighbours
    case none

    public var description: String {
        switch self {
        case .file(let p): return "gradient from \((p as NSString).lastPathComponent)"
        case .bundle: return "bundle gradient"
        case .classify(let label?): return "classify, label \(label)"
        case .classify(nil): return "classify, own prediction"
        case .reader(let label?): return "reader, label \(label)"
        case .reader(nil): return "reader, own prediction"
        case .reconstruct: return "reconstruct"
        case .reconstructNeighbours: return "reconstruct from neighbours (over \(ScoringService.allPairsFeedbackLimit) tokens)"
        case .none: return "none"
        }
    }
}

/// What the user asked of the feedback signal. Everything is optional: the policy fills the rest.
public struct FeedbackRequest: Sendable {
    /// ∂L/∂z from the user's own model (B·N × d′) and where it came from.
    public var gradient: (matrix: Matrix, source: String)?
    public var objective: ObjectiveName?
    /// A ground-truth class. Never taken from the data: only a user who passes one gets it used.
    public var label: Int?
    public init(gradient: (matrix: Matrix, source: String)? = nil, objective: ObjectiveName? = nil, label: Int? = nil) {
        self.gradient = gradient; self.objective = objective; self.label = label
    }
}

/// One scored batch, with what produced it.
public struct ScoringOutcome: Sendable {
    public let rows: [TokenScores]
    /// The forward pass the scores came from (z for ToMe, the comparison and the objective's losses).
    public let forward: ScoringForward
    public let feedbackSource: FeedbackSource
    /// The objective that gave the feedback, with its all-token loss (nil for a supplied gradient).
    public let objective: (any TaskObjective)?
    public let objectiveLoss: Double?
    /// The targets the objective used (nil: its own prediction, or no labels at all).
    public let labels: [Int]?
}

/// The one door every command goes through to score tokens: weights (or untrained with a seed),
/// the dimension check, one feedback policy, z once, scores. `score`, `view`, `eval` and `train`
/// all use it, so the same input and options give the same ranking whichever command asks.
///
/// The feedback policy, in order:
/// 1. a gradient the user supplied (`--grad`; a named objective then only reports its losses);
/// 2. the objective the user named (`--objective`; classify takes `--label`, else the head's own prediction);
/// 3. the bundle's own gradient;
/// 4. the head beside the weights (a classifier head or a reader), with `--label` if given, else its own prediction;
/// 5. the label-free reconstruct objective: over all pairs up to `allPairsFeedbackLimit` tokens an
///    input, above that over each token's group neighbours (`NeighbourReconstructObjective`, linear in N).
/// No ground-truth label is used unless the user passes one: a viewer whose ranking depended on the
/// answer would show a choice no deployed model could make.
public struct ScoringService: Sendable {
    public var model: DeFTModel
    /// The head saved beside trained weights, if there is one: the classifier head (`W.head.safetensors`)
    /// or the reader (`W.reader.safetensors`); never both.
    public let head: (any ScoringHead)?

    /// Above this many tokens an input, the default feedback mixes neighbours, not all pairs: the
    /// all-pairs objective costs N²·(6d′ + 4d) multiply-adds, ≈ 0.2 TFLOP here at d′ = 512 (seconds at
    /// this machine's sgemm speed) and 4.4 TFLOP for 64 frames of 576 tokens. A named `--objective
    /// reconstruct` is all pairs at any size.
    public static let allPairsFeedbackLimit = 8192

    /// `weights` nil: untrained weights from `seed` (with `untrained` as the configuration, its
    /// token width replaced by the data's). Trained weights must expect tokens of width `tokenDim`;
    /// `source` names the tokens in the error when they do not.
    public init(weights: String?, tokenDim d: Int, seed: UInt64, source: String, untrained: DeFTConfig? = nil) throws {
        if let weights {
            model = try DeFTModel(safetensors: weights)
            guard model.config.tokenDim == d else {
                throw DeFTError(source, "tokens have width d=\(d) but \(weights) expects d=\(model.config.tokenDim)")
            }
            let headPath = Checkpoint.companion(weights, ".head.safetensors")
            let readerPath = Checkpoint.companion(weights, ".reader.safetensors")
            let hasHead = FileManager.default.fileExists(atPath: headPath), hasReader = FileManager.default.fileExists(atPath: readerPath)
            guard !(hasHead && hasReader) else {
                throw DeFTError(readerPath, "a reader and a classifier head are both beside the weights; keep one")
            }
            head = hasReader ? try Reader(safetensors: readerPath) : hasHead ? try Checkpoint.loadHead(beside: weights) : nil
            if let head, let problem = head.problem(tokens: nil, tokenDim: d, semanticDim: model.config.semanticDim) {
                throw DeFTError(hasReader ? readerPath : headPath, problem)
            }
        } else {
            var c = untrained ?? DeFTConfig(tokenDim: d)
            c.tokenDim = d   // the data decides d (the reference's LLaVA integration got this wrong)
            model = UntrainedModels.model(c, seed: seed)
            head = nil
        }
    }

    /// A model and head already in memory (evaluation, training).
    public init(model: DeFTModel, head: (any ScoringHead)?) {
        self.model = model; self.head = head
    }

    /// Scores `batch` inputs of `layout` under the feedback policy. `bundleGradient`: the input's own
    /// ∂L/∂z if it carries one; `logits`: per-token logits for the reconstruction gate (nil: the
    /// head applied to each token alone, when there is a head — what the gate was trained on);
    /// `reconstruction`: also report each token's RTD reconstruction error (hybrid, the inspector);
    /// `neighbours`: how text finds its neighbours (what was done is in the outcome's forward).
    public func score(tokens x: Matrix, batch: Int, layout: TokenLayout, feedback request: FeedbackRequest = .init(),
                      bundleGradient: Matrix? = nil, logits: Matrix? = nil, reconstruction: Bool = false,
                      neighbours: NeighbourSearch = .auto) throws -> ScoringOutcome {
        try DeFTPipeline.validate(model, tokens: x, batch: batch, layout: layout, feedback: request.gradient?.matrix ?? bundleGradient,
                                  logits: logits)
        if let head, let problem = head.problem(tokens: layout.count, tokenDim: x.cols, semanticDim: model.config.semanticDim) {
            throw DeFTError(head.name, problem)
        }
        let forward = ScoringForward(model: model, tokens: x, batch: batch, layout: layout, neighbours: neighbours)
        let labels = try request.label.map { label -> [Int] in
            guard let head else { return [Int](repeating: label, count: batch) }
            guard label >= 0, label < head.classes else {
                throw DeFTError("--label", "label \(label) is outside the head's \(head.classes) classes")
            }
            return [Int](repeating: label, count: batch)
        }

        // The named objective reports its losses even when a supplied gradient wins the feedback.
        var objective: (any TaskObjective)? = nil
        var source = FeedbackSource.none
        switch request.objective {
        case .classify?:
            guard let head else {
                throw DeFTError("--objective", "classify needs trained weights with a classifier head beside them (deft train --objective classify)")
            }
            objective = head; source = head.source(label: request.label)
        case .reconstruct?: objective = ReconstructObjective(); source = .reconstruct
        case .none?: source = .none
        case nil:
            if bundleGradient != nil { source = .bundle }
            else if let head { objective = head; source = head.source(label: request.label) }
            else if layout.count > Self.allPairsFeedbackLimit {
                objective = NeighbourReconstructObjective(layout: layout, textNeighbours: forward.textNeighbours)
                source = .reconstructNeighbours
            } else { objective = ReconstructObjective(); source = .reconstruct }
        }
        var gradient: Matrix? = source == .bundle ? bundleGradient : nil
        if let g = request.gradient { gradient = g.matrix; source = .file(g.source) }
        var loss: Double? = nil
        if let objective {
            let r = TaskFeedback.gradient(objective, z: forward.z, tokens: x, batch: batch, labels: labels)
            if gradient == nil { gradient = r.gradient }
            loss = r.loss
        }
        let gateLogits = logits ?? head?.tokenLogits(z: forward.z, tokens: x)
        let rows = DeFTPipeline.score(model, forward: forward, tokens: x, feedback: gradient, logits: gateLogits,
                                      reconstruction: reconstruction)
        return ScoringOutcome(rows: rows, forward: forward, feedbackSource: source, objective: objective,
                              objectiveLoss: loss, labels: labels)
    }
}

/// Untrained weights are a pure function of (configuration, seed): drawn once per process and shared,
/// so a typed sentence in the viewer does not redraw ~1 M random numbers on every keystroke's score.
enum UntrainedModels {
    nonisolated(unsafe) private static var cache: [(DeFTConfig, UInt64, DeFTModel)] = []
    private static let lock = NSLock()

    static func model(_ config: DeFTConfig, seed: UInt64) -> DeFTModel {
        lock.withLock {
            if let hit = cache.first(where: { $0.0 == config && $0.1 == seed }) { return hit.2 }
            let m = DeFTModel(untrained: config, seed: seed)
            cache = Array((cache + [(config, seed, m)]).suffix(4))
            return m
        }
    }
}
