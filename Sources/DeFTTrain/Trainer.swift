import DeFT
import Foundation

/// Inputs that share one layout (N tokens of width d each), with labels for `classify`.
public struct TrainingSet: Sendable {
    public let layout: TokenLayout
    public let inputs: [Matrix]
    public let labels: [Int]?

    public init(layout: TokenLayout, inputs: [Matrix], labels: [Int]? = nil) throws {
        guard let first = inputs.first else { throw DeFTError("training data", "no inputs") }
        for (i, m) in inputs.enumerated() where m.rows != layout.count || m.cols != first.cols {
            throw DeFTError("training data", "input \(i) is \(m.rows)×\(m.cols), expected \(layout.count)×\(first.cols)")
        }
        if let labels, labels.count != inputs.count {
            throw DeFTError("training data", "\(labels.count) labels for \(inputs.count) inputs")
        }
        // A label is a row of the head: negative or huge ones would index outside it or build a vast head.
        if let labels, let bad = labels.first(where: { $0 < 0 || $0 >= SizeLimits.maxWidth }) {
            throw DeFTError("training data", "label \(bad) is not a class index in 0…\(SizeLimits.maxWidth - 1)")
        }
        self.layout = layout; self.inputs = inputs; self.labels = labels
    }

    public var tokenDim: Int { inputs[0].cols }
    public var classes: Int { (labels?.max() ?? -1) + 1 }

    /// The inputs at `indices` stacked into one B·N × d matrix, and their labels.
    public func batch(_ indices: [Int]) -> (tokens: Matrix, labels: [Int]?) {
        let d = tokenDim, n = layout.count
        var out = Matrix(rows: indices.count * n, cols: d)
        for (o, i) in indices.enumerated() {
            out.storage.replaceSubrange((o * n * d)..<((o + 1) * n * d), with: inputs[i].storage)
        }
        return (out, labels.map { l in indices.map { l[$0] } })
    }
}

public struct TrainingOptions: Sendable, Codable, Equatable {
    public var ratio: Double = DeFTConfig.paperRatio
    public var temperature: Float = 0.05
    public var batchSize = 16
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 0
    /// The share of steps trained with no feedback signal (chosen per step from the seed): the
    /// scores are then what inference without feedback sees, so the saliency learns to stand alone
    /// instead of only complementing the feedback. 0: always feedback (the reference).
    public var feedbackDropout: Double = 0
    public init() {}

    enum CodingKeys: String, CodingKey { case ratio, temperature, batchSize, learningRate, seed, feedbackDropout }

    /// Training records written before `feedbackDropout` existed read as 0 (what those runs did).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ratio = try c.decode(Double.self, forKey: .ratio)
        temperature = try c.decode(Float.self, forKey: .temperature)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        seed = try c.decode(UInt64.self, forKey: .seed)
        feedbackDropout = try c.decodeIfPresent(Double.self, forKey: .feedbackDropout) ?? 0
    }

    /// Checked before any work: an infinite temperature used to train, write the weights and only
    /// then fail on the training record.
    public func validate() throws {
        guard ratio > 0, ratio <= 1 else { throw DeFTError("--ratio", "the retention ratio must be in (0, 1], got \(ratio)") }
        guard temperature.isFinite, temperature > 0 else { throw DeFTError("--temperature", "must be a positive finite number, got \(temperature)") }
        guard learningRate.isFinite, learningRate > 0 else { throw DeFTError("--lr", "must be a positive finite number, got \(learningRate)") }
        guard batchSize > 0 else { throw DeFTError("--batch", "must be positive, got \(batchSize)") }
        guard feedbackDropout >= 0, feedbackDropout <= 1 else { throw DeFTError("--feedback-dropout", "must be in [0, 1], got \(feedbackDropout)") }
    }
}

/// The losses of one optimisation step.
public struct StepReport: Sendable {
    /// The optimiser step (1-based) the losses were measured for.
    public let step: Int
    public let taskLoss: Double
    public let rtdLoss: Double?
    /// Share of the batch classified correctly (classify only), with the soft mask.
    public let accuracy: Float?
    /// The gate's loss and the share of pruned tokens it restores (when the gate trains).
    public var gateLoss: Double? = nil
    public var restoredShare: Double? = nil
}

/// One training run: the DeFT module, the task objective (with its head) and Adam.
///
/// A step: score the batch; fill the feedback signal from the task loss with all tokens present;
/// form the soft keep mask at the retention ratio from the combined score; evaluate the task loss
/// through the mask; back-propagate into the objective's head, the scorer (through the mask), the
/// mixture logits and the SAM (through both); train the RTD on its reconstruction loss.
public struct Trainer: Sendable {
    public var model: DeFTModel
    public var objective: any TaskObjective
    public var adam: Adam
    public let options: TrainingOptions
    public let data: TrainingSet
    /// Parts left unchanged (`Trainer.parts`; e.g. sam and classifier: train the scorer on a frozen model).
    public var frozen: [String] = []
    /// Trains the reconstruction gate too (classify with an RTD only).
    public var gate: GateObjective?

    /// The parts a run can freeze, and the state_dict prefixes each covers.
    public static let parts: [String: [String]] = [
        "sam": ["sam."], "scoring": ["scoring.mlp_score.", "scoring.mixture_logits"],
        "gate": ["scoring.reconstruct_gate."], "rtd": ["rtd."], "classifier": ["classifier."],
    ]

    public init(model: DeFTModel, objective: any TaskObjective, data: TrainingSet, options: TrainingOptions, adam: Adam? = nil) {
        self.model = model; self.objective = objective; self.data = data; self.options = options
        self.adam = adam ?? Adam(learningRate: options.learningRate)
    }

    /// The batch of step `t` (1-based): a seeded draw without replacement, a function of the seed
    /// and t alone, so a resumed run sees the same batches as an uninterrupted one.
    public func batchIndices(step t: Int) -> [Int] {
        let count = data.inputs.count, b = min(options.batchSize, count)
        var rng = SplitMix64(seed: options.seed &+ UInt64(t) &* 0x9E37_79B9_7F4A_7C15)
        var idx = Array(0..<count)
        for i in 0..<b {
            let j = i + Int(rng.next() % UInt64(count - i))
            idx.swapAt(i, j)
        }
        return Array(idx.prefix(b))
    }

    /// What the backward holds constant: the feedback signal (itself a gradient) and the soft
    /// mask's thresholds (they move only by re-ranking). Finite-difference checks fix them too.
    public struct Constants: Sendable {
        /// nil: a step without feedback (`feedbackDropout`).
        public var feedback: [Float]?
        public var thresholds: [Float]
    }

    /// The constants at the current parameters.
    public func constants(tokens x: Matrix, batch: Int) -> Constants {
        var trace = ScoringTrace(model: model, tokens: x, batch: batch, layout: data.layout)
        return constants(&trace, tokens: x)
    }

    private func constants(_ trace: inout ScoringTrace, tokens x: Matrix) -> Constants {
        // Feedback without the labels: at inference there are none, and training should see
        // the scores it will be judged by.
        let fb = dropsFeedback(step: adam.step + 1) ? nil
            : TaskFeedback.signal(objective, model: model, z: trace.z, tokens: x, batch: trace.batch, labels: nil)
        trace.setFeedback(fb)
        let k = TokenScores.keepCount(ratio: options.ratio, tokens: data.layout.count)
        return Constants(feedback: fb, thresholds: SoftMask.thresholds(scores: trace.combined, batch: trace.batch,
                                                                       tokens: data.layout.count, keep: k))
    }

    /// Whether step t (1-based) trains without feedback: a function of the seed and t alone.
    public func dropsFeedback(step t: Int) -> Bool {
        guard options.feedbackDropout > 0 else { return false }
        var rng = SplitMix64(seed: options.seed ^ (UInt64(t) &* 0xD1B5_4A32_D192_ED03) ^ 0xFEED)
        return Double(rng.next() >> 11) / Double(1 << 53) < options.feedbackDropout
    }

    /// Loss and gradients for one batch, without changing anything.
    public func lossAndGradients(tokens x: Matrix, batch: Int, labels: [Int]?, constants given: Constants? = nil)
        -> (StepReport, Gradients)
    {
        var trace = ScoringTrace(model: model, tokens: x, batch: batch, layout: data.layout)
        let c = given ?? constants(&trace, tokens: x)
        trace.setFeedback(c.feedback)
        let mask = SoftMask(scores: trace.combined, tokens: data.layout.count, thresholds: c.thresholds,
                            temperature: options.temperature)
        let r = objective.evaluate(z: trace.z, tokens: x, mask: mask.values, batch: batch, labels: labels)
        var grads = trace.backward(model: model, combined: mask.backward(r.mask), semantic: r.semantic)
        grads.merge(r.parameters)
        var rtdLoss: Double? = nil
        var decoded: Matrix? = nil
        if let rtd = model.rtd {
            let l = RTDLoss.evaluate(rtd, tokens: x)
            rtdLoss = l.loss
            decoded = l.reconstruction
            grads.merge(l.gradients)
        }
        let accuracy = zip(r.predictions ?? [], labels ?? []).map { $0 == $1 ? 1 : 0 }.reduce(0, +)
        var report = StepReport(step: adam.step + 1, taskLoss: r.loss, rtdLoss: rtdLoss,
                                accuracy: r.predictions == nil ? nil : Float(accuracy) / Float(batch))
        if let gate, let labels, let logits = objective.tokenLogits(z: trace.z, tokens: x), let decoded {
            let k = TokenScores.keepCount(ratio: options.ratio, tokens: data.layout.count)
            let keep = ClassifierEvaluation.hardMask(trace.combined, batch: batch, tokens: data.layout.count, keep: k)
            let g = gate.evaluate(model: model, objective: objective, z: trace.z, tokens: x,
                                  restored: (DeFTPipeline.semantic(model, decoded), decoded), logits: logits,
                                  keep: keep, batch: batch, labels: labels)
            grads.add("scoring.reconstruct_gate.0", g.gradient)
            report.gateLoss = g.loss
            report.restoredShare = g.restoredShare
        }
        return (report, grads)
    }

    /// One Adam step on the next batch.
    @discardableResult
    public mutating func step() -> StepReport {
        let t = adam.step + 1
        let (x, labels) = data.batch(batchIndices(step: t))
        let batch = x.rows / data.layout.count
        let (report, grads) = lossAndGradients(tokens: x, batch: batch, labels: labels)
        var opt = adam, m = model, obj = objective
        opt.beginStep()
        let frozen = self.frozen.flatMap { Self.parts[$0] ?? [$0 + "."] }
        func update(_ name: String, _ v: inout [Float]) {
            if !frozen.contains(where: { name.hasPrefix($0) }) { opt.update(name, &v, gradient: grads[name]) }
        }
        m.forEachParameter(update)
        obj.forEachParameter(update)
        adam = opt; model = m; objective = obj
        return report
    }
}
