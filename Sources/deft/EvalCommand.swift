import ArgumentParser
import DeFT
import DeFTEval
import Foundation

/// `deft eval`: what a ratio costs and what it loses, for DeFT and the baselines.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare DeFT with the baselines: retention curves, accuracy on labelled digits, language-model cost.",
        subcommands: [EvalCurve.self, EvalAccuracy.self, EvalCost.self]
    )
}

/// Sorted, indented JSON on stdout: reports that diff cleanly.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try ReportJSON.encode(value, source: "--json"), as: UTF8.self))
}

/// "48.2 %"
func percent(_ v: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f %%", v * 100) }

/// Left-aligned first column, right-aligned numbers, two spaces between columns.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { c in rows.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Comma-separated ratios in (0, 1].
struct RatioList: ExpressibleByArgument {
    let values: [Double]
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 1 }) else { return nil }
        values = parts.map { $0! }
    }
    init(_ values: [Double]) { self.values = values }
    var defaultValueDescription: String { values.map { String($0) }.joined(separator: ",") }
}

