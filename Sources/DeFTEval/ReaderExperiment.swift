import DeFT
import DeFTTrain
import Foundation

/// The accuracy protocol on a frozen encoder (`deft eval accuracy --task fashion-mnist…`), on tokens
/// already encoded:
/// 1. the reader is trained on every token of the training split, then frozen;
/// 2. for each target ratio a DeFT module (SAM, saliency, mixture, RTD) is trained with the frozen
///    reader as its objective: the reader reads the tokens through DeFT's soft keep mask, so its loss
///    reaches the scores, and its all-token ∂L/∂x (target: its own prediction) is the feedback signal;
/// 3. on the test split every method cuts each image to the same k and the frozen reader reads what is
///    left. No label reaches any method. DeFT runs twice: with the feedback from the reader's own
///    all-token prediction (one extra reader pass, forward and backward, per image) and with none.
/// Methods are compared on the same images: each difference from `uniform` has its paired standard error.
public struct ReaderExperiment: Sendable {
    public struct Options: Sendable, Codable, Equatable {
        public var ratios: [Double] = [0.75, DeFTConfig.paperRatio, 0.25, 0.125]
        public var reader = ReaderTraining.Options()
        public var deftSteps = 600
        public var deftBatch = 16
        public var deftLearningRate: Float = 1e-3
        public var temperature: Float = 0.05
        public var semanticDim = 128
        public var randomSeeds = 5
        /// λ, the reconstruction gate's price per restored token (hybrid), as in the digits' training.
        public var gateCost: Float = 1
        /// The share of DeFT's training steps without feedback (`TrainingOptions.feedbackDropout`).
        /// Chosen on validation (fashion-mnist-small, --quick, DINOv2 tokens, 200 validation images): trained
        /// always with feedback, DeFT without feedback kept 21.5 % / 20.5 % at 25 % / 12.5 % (below random: its
        /// saliency had learned only to complement the feedback), with feedback 59.0 % / 52.5 %; at 0.5, 53.5 % /
        /// 50.5 % without and 55.0 % / 51.0 % with.
        public var feedbackDropout: Double = 0.5
        public var seed: UInt64 = 0
        public init() {}
    }

    /// One line of the result, exactly the JSON the issue asks for.
    public struct Row: Sendable, Codable, Equatable {
        public var method: String
        public var mode: String
        public var ratio: Double
        public var k: Int
        public var tokens_read: Double
        public var accuracy: Double
        public var stderr: Double
        public var paired_diff_vs_uniform: Double
        public var paired_stderr: Double
        public var retained: Double
    }

    public struct Full: Sendable, Codable, Equatable { public var accuracy: Double; public var stderr: Double }

    public struct Report: Sendable, Codable, Equatable {
        public var task: String
        public var train: Int
        public var test: Int
        public var full: Full
        public var rows: [Row]
    }

    /// What the report's JSON leaves out but a reader of the table needs.
    public struct Notes: Sendable {
        public var validationFull: Double
        /// DeFT (feedback, fast) on the validation split per ratio: where the protocol's choices are made.
        public var validationDeFT: [Double: Double]
        /// Random: the spread (min, max) of accuracy over its seeds, per ratio.
        public var randomSpread: [Double: (Double, Double)]
        public var readerLoss: Double
        public var omitted: [String]
        /// Per ratio, DeFT's (fast, with feedback) paired difference from each baseline on the same
        /// images and its standard error: the "beats every baseline by two paired standard errors".
        public var deftVersus: [Double: [(method: String, difference: Double, stderr: Double)]] = [:]
        /// Per ratio, the trained DeFT's mixture β (saliency, feedback, group) and the accuracy of keeping the
        /// top k by its feedback signal alone and by its group signal alone (saliency alone is a row): which
        /// signal carries the selection.
        public var signals: [Double: (mixture: [Float], feedbackAlone: Double, groupAlone: Double)] = [:]
        /// Per ratio, the importance-plus-coverage experiment (not DeFT, and not a row): the top ⌈share·k⌉
        /// by DeFT's score (with feedback) and the rest of k from the uniform order, the share chosen on
        /// validation; its test accuracy and paired differences from uniform and from DeFT.
        public var coverage: [Double: Coverage] = [:]
    }

    public struct Coverage: Sendable {
        public var validation: [(share: Double, accuracy: Double)]
        public var share: Double
        public var accuracy: Double
        public var versusUniform: (difference: Double, stderr: Double)
        public var versusDeFT: (difference: Double, stderr: Double)
    }

    /// The shares of k the coverage experiment tries on validation.
    public static let coverageShares = [0.25, 0.5, 0.75]

    public let options: Options
    public init(options: Options) { self.options = options }

    public enum Stage: Sendable { case reader(step: Int, of: Int), deft(ratio: Double, step: Int, of: Int), evaluating(String) }

    public func run(task: String, train: TokenStore, validation: TokenStore, test: TokenStore, layout: TokenLayout,
                    progress: ((Stage) -> Void)? = nil) throws -> (report: Report, notes: Notes, reader: Reader,
                                                                    models: [(ratio: Double, model: DeFTModel)]) {
        guard train.tokens == layout.count, test.tokens == layout.count, validation.tokens == layout.count else {
            throw DeFTError("tokens", "the stores hold \(train.tokens) tokens per image, the grid has \(layout.count)")
        }
        guard train.width == test.width, train.width == validation.width else { throw DeFTError("tokens", "train and test tokens differ in width") }
        let classes = (train.labels.max() ?? 0) + 1
        // 1. The reader on every token.
        let sample = train.batch(Array(0..<min(train.count, 256)))
        let std = Reader.standardisation(sample)
        let start = Reader(tokenDim: train.width, gridHeight: layout.height, gridWidth: layout.width, classes: classes,
                           inputMean: std.mean, inputScale: std.scale, seed: options.seed)
        let trained = ReaderTraining.train(start, count: train.count, labels: train.labels, options: options.reader,
                                           batchOf: train.batch) { progress?(.reader(step: $0, of: options.reader.steps)) }
        let reader = trained.reader
        let full = predictions(reader, test) { _, _, _ in nil }
        let fullCorrect = correct(full, test.labels)
        let fullAccuracy = mean(fullCorrect)
        let validationFull = mean(correct(predictions(reader, validation) { _, _, _ in nil }, validation.labels))

        var rows: [Row] = [], validationDeFT = [Double: Double](), spread = [Double: (Double, Double)]()
        var versus = [Double: [(method: String, difference: Double, stderr: Double)]]()
        var signals = [Double: (mixture: [Float], feedbackAlone: Double, groupAlone: Double)]()
        var coverage = [Double: Coverage]()
        var models: [(ratio: Double, model: DeFTModel)] = []
        let n = layout.count
        let uniform = BaselineRankings.uniform(layout)
        // Widened to float32 once for every ratio's training (5000 images of 256×384: 2 GB).
        let data = try TrainingSet(layout: layout, inputs: (0..<train.count).map(train.input), labels: train.labels)
        for ratio in options.ratios {
            let k = TokenScores.keepCount(ratio: ratio, tokens: n)
            // 2. DeFT trained at this ratio with the frozen reader as the objective.
            let model = trainDeFT(reader: reader, data: data, ratio: ratio) {
                progress?(.deft(ratio: ratio, step: $0, of: options.deftSteps))
            }
            models.append((ratio, model))
            let service = ScoringService(model: model, head: nil)
            progress?(.evaluating("\(ratio)"))
            // DeFT's scores with the reader's feedback, once per split: the deft rows, the feedback-alone note
            // and the coverage experiment all select from them.
            let validationScores = try scoresOfEvery(validation, service, reader, layout: layout)
            let testScores = try scoresOfEvery(test, service, reader, layout: layout)
            func select(_ store: TokenStore, _ scored: [TokenScores], _ keep: (TokenScores) -> [Int]) -> [Double] {
                correct(predictions(reader, store) { _, b, first in (0..<b).map { keep(scored[first + $0]) } }, store.labels)
            }
            let fast = { (scores: TokenScores) in Array(scores.selection(ratio: ratio, mode: .fast).kept) }
            validationDeFT[ratio] = mean(select(validation, validationScores, fast))
            let uni = correct(predictions(reader, test) { _, b, _ in Array(repeating: Array(uniform.prefix(k)), count: b) }, test.labels)
            var perImage = [String: [Double]]()   // the fast rows' per-image correctness, for DeFT's paired differences
            func row(_ method: String, _ c: [Double], tokens: Double? = nil) -> Row {
                if tokens == nil { perImage[method] = c }
                let acc = mean(c)
                let diffs = zip(c, uni).map { $0 - $1 }
                return Row(method: method, mode: "fast", ratio: ratio, k: k, tokens_read: tokens ?? Double(k), accuracy: acc,
                           stderr: (acc * (1 - acc) / Double(max(c.count, 1))).squareRoot(),
                           paired_diff_vs_uniform: mean(diffs), paired_stderr: pairedStandardError(diffs),
                           retained: fullAccuracy > 0 ? acc / fullAccuracy : 0)
            }
            rows.append(row("deft", select(test, testScores, fast)))
            rows.append(row("deft-no-feedback", correct(try predictions(reader, test) { x, b, _ in
                try scores(service, reader, x, batch: b, layout: layout, feedback: false).map(fast)
            }, test.labels)))
            let hybrid = try hybridPredictions(reader, test, service: service, layout: layout, ratio: ratio)
            var hybridRow = row("deft", correct(hybrid.predictions, test.labels), tokens: Double(k) + hybrid.restored)
            hybridRow.mode = "hybrid"
            rows.append(hybridRow)
            // Random: per image, the share of seeds that got it right; the row is the mean over seeds.
            var perSeed: [[Double]] = []
            for s in 0..<options.randomSeeds {
                perSeed.append(correct(predictions(reader, test) { _, b, first in
                    (0..<b).map { Array(BaselineRankings.random(count: n, seed: UInt64(s) &* 1_000_003 &+ UInt64(first + $0)).prefix(k)) }
                }, test.labels))
            }
            let seedAccuracies = perSeed.map(mean)
            spread[ratio] = (seedAccuracies.min() ?? 0, seedAccuracies.max() ?? 0)
            rows.append(row("random", (0..<test.count).map { i in perSeed.map { $0[i] }.reduce(0, +) / Double(perSeed.count) }))
            rows.append(row("uniform", uni))
            rows.append(row("norm", correct(predictions(reader, test) { x, b, _ in
                (0..<b).map { Array(BaselineRankings.norm(x.rows((($0) * n)..<(($0 + 1) * n))).prefix(k)) }
            }, test.labels)))
            rows.append(row("saliency", correct(try predictions(reader, test) { x, b, _ in
                let f = ScoringForward(model: model, tokens: x, batch: b, layout: layout)
                return (0..<b).map { Array(DeFTPipeline.ranking(Array(f.saliency[($0 * n)..<(($0 + 1) * n)])).prefix(k)) }
            }, test.labels)))
            let feedbackAlone = mean(select(test, testScores) { Array(DeFTPipeline.ranking($0.feedback).prefix(k)) })
            let groupAlone = mean(correct(try predictions(reader, test) { x, b, _ in
                let f = ScoringForward(model: model, tokens: x, batch: b, layout: layout)
                return (0..<b).map { Array(DeFTPipeline.ranking(Array(f.group[($0 * n)..<(($0 + 1) * n)])).prefix(k)) }
            }, test.labels))
            signals[ratio] = (RowStatistics.softmax(model.mixtureLogits[...]), feedbackAlone, groupAlone)
            // Importance plus coverage: DeFT's top ⌈share·k⌉, the rest of k by the uniform order.
            func covered(_ store: TokenStore, _ scored: [TokenScores], share: Double) -> [Double] {
                let top = min(k, Int((share * Double(k)).rounded(.up)))
                return select(store, scored) { row in
                    var kept = Array(row.ranking.prefix(top))
                    let picked = Set(kept)
                    for u in uniform where kept.count < k && !picked.contains(u) { kept.append(u) }
                    return kept
                }
            }
            let tried = Self.coverageShares.map { (share: $0, accuracy: mean(covered(validation, validationScores, share: $0))) }
            let best = tried.max { $0.accuracy < $1.accuracy }!.share
            let coveredTest = covered(test, testScores, share: best)
            func paired(_ other: [Double]) -> (Double, Double) {
                let d = zip(coveredTest, other).map { $0 - $1 }
                return (mean(d), pairedStandardError(d))
            }
            coverage[ratio] = Coverage(validation: tried, share: best, accuracy: mean(coveredTest),
                                       versusUniform: paired(uni), versusDeFT: paired(perImage["deft"]!))
            rows.append(row("tome", correct(mergedPredictions(reader, test) { tokens, _ in TokenMerging(metric: tokens).anchors(keeping: k) },
                                            test.labels)))
            if test.attention != nil {
                rows.append(row("cls-attention", correct(predictions(reader, test) { _, b, first in
                    (0..<b).map { Array(DeFTPipeline.ranking(test.attention(first + $0)!).prefix(k)) }
                }, test.labels)))
                rows.append(row("visionzip", correct(mergedPredictions(reader, test) { tokens, i in
                    VisionZip.anchors(tokens: tokens, clsAttention: test.attention(i)!, keeping: k)
                }, test.labels)))
            }
            if let d = perImage["deft"] {
                versus[ratio] = perImage.keys.filter { $0 != "deft" && $0 != "deft-no-feedback" }.sorted().map { m in
                    let diffs = zip(d, perImage[m]!).map { $0 - $1 }
                    return (m, mean(diffs), pairedStandardError(diffs))
                }
            }
        }
        var omitted: [String] = []
        if test.attention == nil { omitted.append("cls-attention and visionzip (the encoder gives no CLS attention)") }
        let report = Report(task: task, train: train.count, test: test.count,
                            full: Full(accuracy: fullAccuracy, stderr: (fullAccuracy * (1 - fullAccuracy) / Double(max(test.count, 1))).squareRoot()),
                            rows: rows)
        return (report, Notes(validationFull: validationFull, validationDeFT: validationDeFT, randomSpread: spread,
                              readerLoss: trained.loss, omitted: omitted, deftVersus: versus, signals: signals, coverage: coverage), reader, models)
    }

    /// Trains DeFT at `ratio` with the frozen reader as its task objective.
    func trainDeFT(reader: Reader, data: TrainingSet, ratio: Double, progress: (Int) -> Void) -> DeFTModel {
        var config = DeFTConfig(tokenDim: data.tokenDim, semanticDim: options.semanticDim)
        config.retentionRatio = ratio
        let model = DeFTModel(untrained: config, seed: options.seed &+ 1)
        var o = TrainingOptions()
        o.ratio = ratio; o.batchSize = options.deftBatch; o.learningRate = options.deftLearningRate
        o.temperature = options.temperature; o.seed = options.seed; o.feedbackDropout = options.feedbackDropout
        var trainer = Trainer(model: model, objective: reader, data: data, options: o)
        trainer.frozen = ["reader"]
        trainer.gate = GateObjective(cost: options.gateCost)
        for t in 1...max(options.deftSteps, 1) { trainer.step(); progress(t) }
        return trainer.model
    }

    static let chunk = 64

    /// The reader's predictions on every input of `store` when `keep(x, b, first)` names the tokens each
    /// of the chunk's b inputs keeps (nil: all of them).
    func predictions(_ reader: Reader, _ store: TokenStore, keep: (Matrix, Int, Int) throws -> [[Int]]?) rethrows -> [Int] {
        let n = store.tokens
        var out: [Int] = []
        out.reserveCapacity(store.count)
        for first in stride(from: 0, to: store.count, by: Self.chunk) {
            let ids = Array(first..<min(first + Self.chunk, store.count))
            let x = store.batch(ids), b = ids.count
            var mask = [Float](repeating: 1, count: b * n)
            if let kept = try keep(x, b, first) {
                mask = [Float](repeating: 0, count: b * n)
                for (i, row) in kept.enumerated() { for t in row { mask[i * n + t] = 1 } }
            }
            out += reader.predictions(tokens: x, mask: mask, batch: b)
        }
        return out
    }

    /// DeFT's scores (with the reader's feedback) of every image of `store`, batch by batch as `predictions` reads them.
    func scoresOfEvery(_ store: TokenStore, _ service: ScoringService, _ reader: Reader, layout: TokenLayout) throws -> [TokenScores] {
        var out: [TokenScores] = []
        out.reserveCapacity(store.count)
        for first in stride(from: 0, to: store.count, by: Self.chunk) {
            let ids = Array(first..<min(first + Self.chunk, store.count))
            out += try scores(service, reader, store.batch(ids), batch: ids.count, layout: layout)
        }
        return out
    }

    /// DeFT's scores of a batch, with the feedback from the reader's own all-token prediction as the
    /// target (no label reaches DeFT), or with none (`feedback: false`, the paper's inference).
    func scores(_ service: ScoringService, _ reader: Reader, _ x: Matrix, batch b: Int, layout: TokenLayout,
                feedback: Bool = true, logits: Matrix? = nil) throws -> [TokenScores] {
        let request = feedback ? FeedbackRequest(gradient: (readerGradient(reader, x, batch: b), "reader"), objective: ObjectiveName.none)
                               : FeedbackRequest(objective: ObjectiveName.none)
        return try service.score(tokens: x, batch: b, layout: layout, feedback: request, logits: logits).rows
    }

    /// DeFT hybrid: the hard top-k plus the pruned tokens the reconstruction gate brings back (its logits:
    /// the reader on each token alone), each read as its RTD reconstruction dec(enc(x)) at its own position.
    /// Returns the predictions and the mean number of tokens restored per image.
    func hybridPredictions(_ reader: Reader, _ store: TokenStore, service: ScoringService, layout: TokenLayout,
                           ratio: Double) throws -> (predictions: [Int], restored: Double) {
        let n = store.tokens
        var out: [Int] = [], restored = 0
        for first in stride(from: 0, to: store.count, by: Self.chunk) {
            let ids = Array(first..<min(first + Self.chunk, store.count))
            var x = store.batch(ids)
            let b = ids.count, d = x.cols
            let rows = try scores(service, reader, x, batch: b, layout: layout, logits: reader.tokenLogits(tokens: x))
            guard let decoded = DeFTPipeline.reconstruct(service.model, x) else { throw DeFTError("weights", "hybrid needs an RTD") }
            var mask = [Float](repeating: 0, count: b * n)
            for (i, scores) in rows.enumerated() {
                let sel = scores.selection(ratio: ratio, mode: .hybrid)
                for t in sel.kept { mask[i * n + t] = 1 }
                for t in sel.reconstructed {
                    let r = i * n + t
                    mask[r] = 1
                    for f in 0..<d { x.storage[r * d + f] = decoded.storage[r * d + f] }
                }
                restored += sel.reconstructed.count
            }
            out += reader.predictions(tokens: x, mask: mask, batch: b)
        }
        return (out, Double(restored) / Double(max(store.count, 1)))
    }

    /// A merging method's predictions: `anchors(tokens, image)` maps each token to the kept token that
    /// carries it; each kept slot reads the mean of its group at its own position, the others are masked
    /// out. ToMe runs on the tokens themselves (cosine of x: the encoder's tokens are what the reader
    /// reads; ToMe would use the layer's keys), VisionZip as `VisionZip` says.
    func mergedPredictions(_ reader: Reader, _ store: TokenStore, anchors anchorsOf: (Matrix, Int) -> [Int]) -> [Int] {
        let n = store.tokens
        var out: [Int] = []
        for first in stride(from: 0, to: store.count, by: Self.chunk) {
            let ids = Array(first..<min(first + Self.chunk, store.count))
            var x = store.batch(ids)
            var mask = [Float](repeating: 0, count: ids.count * n)
            let d = x.cols
            for b in 0..<ids.count {
                let rows = (b * n)..<((b + 1) * n)
                let tokens = x.rows(rows)
                let anchors = anchorsOf(tokens, first + b)
                let merged = TokenMerging.mergedTokens(tokens, anchors: anchors)
                for (r, a) in Array(Set(anchors)).sorted().enumerated() {
                    mask[b * n + a] = 1
                    for f in 0..<d { x.storage[(b * n + a) * d + f] = merged.storage[r * d + f] }
                }
            }
            out += reader.predictions(tokens: x, mask: mask, batch: ids.count)
        }
        return out
    }

    /// The reader's all-token ∂L/∂x per input, its own prediction the target: DeFT's feedback at test time.
    func readerGradient(_ reader: Reader, _ x: Matrix, batch: Int) -> Matrix {
        TaskFeedback.gradient(reader, z: Matrix(rows: x.rows, cols: 1), tokens: x, batch: batch, labels: nil).gradient
    }

    func correct(_ predicted: [Int], _ labels: [Int]) -> [Double] { zip(predicted, labels).map { $0 == $1 ? 1 : 0 } }
    func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }

    /// Standard error of the mean of per-image differences (sample standard deviation / √n).
    public func pairedStandardError(_ d: [Double]) -> Double {
        guard d.count > 1 else { return 0 }
        let m = mean(d)
        let v = d.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(d.count - 1)
        return (v / Double(d.count)).squareRoot()
    }
}
