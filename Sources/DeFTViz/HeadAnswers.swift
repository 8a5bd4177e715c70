import DeFT
import DeFTTrain
import Foundation

/// The scoring head's answer on one sample (the reader, or the classify head): with every token,
/// computed once when the sample loads, and with only the tokens a selection lets through, computed
/// per frame (one head pass over the sample's tokens: milliseconds for 256). In hybrid mode a
/// restored token is read as its reconstruction dec(enc(x)), as the accuracy experiment reads it.
public struct HeadAnswers: Sendable {
    public struct Answer: Sendable, Equatable {
        public let label: Int
        public let probability: Float
        public init(label: Int, probability: Float) { self.label = label; self.probability = probability }
    }

    let head: any ScoringHead
    let tokens: Matrix, semantic: Matrix
    /// The reconstructions and their z, when the weights can reconstruct.
    let restored: (tokens: Matrix, semantic: Matrix)?
    public let all: Answer

    public init(head: any ScoringHead, model: DeFTModel, tokens x: Matrix, semantic z: Matrix) {
        self.head = head; tokens = x; semantic = z
        restored = DeFTPipeline.reconstruct(model, x).map { ($0, DeFTPipeline.semantic(model, $0)) }
        all = Self.answer(head.answerLogits(z: z, tokens: x, mask: [Float](repeating: 1, count: x.rows), batch: 1))
    }

    public var name: String { head.name }

    /// The answer when only the selection's kept (and restored) tokens are read.
    public func answer(_ selection: Selection) -> Answer {
        var mask = [Float](repeating: 0, count: tokens.rows)
        for t in selection.kept { mask[t] = 1 }
        var x = tokens, z = semantic
        if let restored, !selection.reconstructed.isEmpty {
            for t in selection.reconstructed {
                mask[t] = 1
                for f in 0..<x.cols { x.storage[t * x.cols + f] = restored.tokens.storage[t * x.cols + f] }
                for f in 0..<z.cols { z.storage[t * z.cols + f] = restored.semantic.storage[t * z.cols + f] }
            }
        }
        return Self.answer(head.answerLogits(z: z, tokens: x, mask: mask, batch: 1))
    }

    static func answer(_ logits: Matrix) -> Answer {
        let p = RowStatistics.softmax(logits.storage[0..<logits.cols])
        let best = p.indices.max { p[$0] < p[$1] } ?? 0
        return Answer(label: best, probability: p[best])
    }
}

/// The panel's lines for the head's answer: with all tokens and with the kept ones at the current
/// ratio and mode, each as class name and probability, and right or wrong when the label is known.
func answerLines(_ answers: HeadAnswers, selection: Selection, label: Int?, classes: [String]?) -> [(text: String, colour: RGB)] {
    func name(_ c: Int) -> String { classes.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "class \(c)" }
    func line(_ prefix: String, _ a: HeadAnswers.Answer) -> (text: String, colour: RGB) {
        let verdict = label.map { $0 == a.label ? " right" : " wrong" } ?? ""
        let colour = label.map { $0 == a.label ? Theme.kept : Theme.pruned } ?? Theme.text
        return ("\(prefix): \(name(a.label)) \(Int((a.probability * 100).rounded())) %\(verdict)", colour)
    }
    let title = answers.name == "reader" ? "reader's answer" : "\(answers.name) head's answer"
    let restored = selection.reconstructed.count
    return [(title + (label.map { " (label: \(name($0)))" } ?? ""), Theme.accent),
            line("all \(selection.isKept.count)", answers.all),
            line("kept \(selection.k)" + (restored > 0 ? " + \(restored) restored" : ""), answers.answer(selection))]
}
