import DeFT

/// A task loss over semantic vectors z and a soft keep mask m: the source of the feedback
/// signal (∂L/∂z, DeFT.md §2) and of the gradient that trains the scorer through the mask.
public protocol TaskObjective: Sendable {
    var name: String { get }
    /// The loss averaged over the `batch` inputs, and its gradients with respect to z, the mask
    /// and the objective's own parameters. `tokens` are the inputs in token space.
    func evaluate(z: Matrix, tokens: Matrix, mask: [Float], batch: Int, labels: [Int]?) -> ObjectiveResult
    /// The objective's own learnable arrays (a classifier head), by name.
    mutating func forEachParameter(_ body: (String, inout [Float]) throws -> Void) rethrows
    /// Each token's own class logits (the objective given that token alone), for the reconstruction
    /// gate's uncertainty and confidence; nil for an objective without classes.
    func tokenLogits(z: Matrix, tokens: Matrix) -> Matrix?
}

extension TaskObjective {
    public func tokenLogits(z: Matrix, tokens: Matrix) -> Matrix? { nil }
}

public struct ObjectiveResult: Sendable {
    public var loss: Double
    public var semantic: Matrix        // ∂L/∂z
    public var mask: [Float]           // ∂L/∂m
    public var parameters: Gradients   // the objective's own
    /// Per input: the predicted class (classification only).
    public var predictions: [Int]?
    /// ∂L/∂x, for an objective that reads the tokens themselves rather than z (the reader): its
    /// feedback signal is this gradient's size per token, ∂L/∂z being zero.
    public var tokens: Matrix? = nil
}
