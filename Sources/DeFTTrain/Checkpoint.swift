import DeFT
import Foundation

/// What `deft train` writes, side by side:
/// - `NAME.safetensors`: the DeFT module under the reference's state_dict keys only, so
///   PyTorch's strict `load_state_dict` accepts it;
/// - `NAME.head.safetensors`: the classifier head (`classifier.weight`, `classifier.bias`), for `classify`;
/// - `NAME.optimizer.safetensors`: Adam's moments and step, for `--resume`;
/// - `NAME.train.json`: what was trained on what, and the final losses (not `NAME.json`, which
///   would clash with a bundle's `deft.json` beside `deft.safetensors`).
public struct Checkpoint: Sendable {
    public static func companion(_ weights: String, _ suffix: String) -> String {
        let base = weights.hasSuffix(".safetensors") ? String(weights.dropLast(".safetensors".count)) : weights
        return base + suffix
    }

    /// Every file is written whole or not at all (temp file, then rename), and the record is encoded
    /// first: a value JSON cannot hold stops the save before the weights are touched.
    public static func save(_ trainer: Trainer, to path: String, sidecar: TrainingSidecar) throws {
        let recordPath = companion(path, ".train.json")
        let record = try ReportJSON.encode(sidecar, source: recordPath)
        try trainer.model.save(to: path, metadata: ["format": "pt", "written_by": "deft train"])
        if let head = trainer.objective as? ClassifyObjective {
            let w = head.head
            try SafetensorsFile.write([("classifier.weight", Tensor(shape: [w.outputWidth, w.inputWidth], values: w.weight.storage)),
                                       ("classifier.bias", Tensor(shape: [w.outputWidth], values: w.bias))],
                                      metadata: ["format": "pt"], to: companion(path, ".head.safetensors"))
        }
        try SafetensorsFile.write(trainer.adam.stateTensors(), to: companion(path, ".optimizer.safetensors"))
        do { try record.write(to: URL(fileURLWithPath: recordPath), options: .atomic) } catch {
            throw DeFTError(recordPath, "cannot write: \(error.localizedDescription)")
        }
    }

    /// The classifier head saved beside `weights`, checked against them: at least one class, and an
    /// input width equal to the weights' d′ (a mismatch would otherwise trap in the first product).
    public static func loadHead(beside weights: String) throws -> ClassifyObjective {
        let path = companion(weights, ".head.safetensors")
        guard FileManager.default.fileExists(atPath: path) else {
            throw DeFTError(path, "no classifier head beside the weights (train with deft train --objective classify)")
        }
        let f = try SafetensorsFile.load(path: path)
        let w = try f.floats("classifier.weight"), b = try f.floats("classifier.bias")
        guard w.shape.count == 2, b.shape == [w.shape[0]] else {
            throw DeFTError(path, "classifier shapes \(w.shape) and \(b.shape) do not form a linear head")
        }
        guard w.shape[0] >= 1 else { throw DeFTError(path, "the classifier head has no classes (classifier.weight is \(w.shape))") }
        let semanticDim = try DeFTModel(safetensors: weights).config.semanticDim
        guard w.shape[1] == semanticDim else {
            throw DeFTError(path, "the classifier head reads width \(w.shape[1]) but \((weights as NSString).lastPathComponent) has d′ = \(semanticDim)")
        }
        return ClassifyObjective(head: Linear(weight: Matrix(rows: w.shape[0], cols: w.shape[1], storage: w.values), bias: b.values))
    }

    public static func loadOptimizer(beside weights: String, learningRate: Float) throws -> Adam {
        let path = companion(weights, ".optimizer.safetensors")
        return try Adam(learningRate: learningRate, state: SafetensorsFile.load(path: path))
    }

    public static func loadSidecar(beside weights: String) throws -> TrainingSidecar {
        let path = companion(weights, ".train.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the training record") }
        do { return try JSONDecoder().decode(TrainingSidecar.self, from: data) } catch {
            throw DeFTError(path, "not a deft training record: \(error)")
        }
    }
}

/// The JSON record beside trained weights.
public struct TrainingSidecar: Codable, Sendable, Equatable {
    public var objective: String
    public var data: [String]
    public var options: TrainingOptions
    public var semanticDim: Int
    public var steps: Int
    public var finalTaskLoss: Double
    public var finalRTDLoss: Double?
    public var testAccuracy: Double?
    public var date: String
    public var command: String
    /// The weights training started from (`--init`), and the parts it kept frozen (`Trainer.parts`).
    public var initialWeights: String?
    public var frozen: [String]?
    /// λ when the reconstruction gate was trained.
    public var gateCost: Float?

    public init(objective: String, data: [String], options: TrainingOptions, semanticDim: Int, steps: Int,
                finalTaskLoss: Double, finalRTDLoss: Double?, testAccuracy: Double?, date: String, command: String) {
        self.objective = objective; self.data = data; self.options = options; self.semanticDim = semanticDim
        self.steps = steps; self.finalTaskLoss = finalTaskLoss; self.finalRTDLoss = finalRTDLoss
        self.testAccuracy = testAccuracy; self.date = date; self.command = command
    }
}
