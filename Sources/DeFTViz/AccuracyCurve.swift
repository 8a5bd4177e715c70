import DeFT
import DeFTEval
import Foundation

/// Accuracy against keep ratio for every method, read from a precomputed report (`deft eval accuracy
/// --json`, written into a bundle by `--bundle`): what `g` draws for such a bundle, since the viewer
/// cannot retrain a reader or DeFT per ratio. Each curve ends at ratio 1 with the all-token accuracy,
/// where every method keeps every token.
public struct AccuracyCurve: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        /// The method, with its mode when not fast ("deft hybrid").
        public let name: String
        /// (ratio, accuracy), ratio ascending.
        public let points: [Point]
    }
    public struct Point: Sendable, Equatable { public let ratio: Double, accuracy: Double }

    public let task: String
    public let test: Int
    public let full: Double
    public let series: [Series]

    public init(report r: ReaderExperiment.Report) {
        task = r.task; test = r.test; full = r.full.accuracy
        var names: [String] = [], points: [String: [Point]] = [:]
        for row in r.rows {
            let name = row.mode == "fast" ? row.method : "\(row.method) \(row.mode)"
            if points[name] == nil { names.append(name) }
            points[name, default: []].append(Point(ratio: row.ratio, accuracy: row.accuracy))
        }
        series = names.map { n in
            Series(name: n, points: (points[n]! + [Point(ratio: 1, accuracy: r.full.accuracy)]).sorted { $0.ratio < $1.ratio })
        }
    }

    public static func load(path: String) throws -> AccuracyCurve {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the accuracy curve") }
        let report: ReaderExperiment.Report
        do { report = try JSONDecoder().decode(ReaderExperiment.Report.self, from: data) } catch {
            throw DeFTError(path, "is not an accuracy report (deft eval accuracy --json): \(error)")
        }
        guard !report.rows.isEmpty, report.rows.allSatisfy({ $0.ratio > 0 && $0.ratio <= 1 && (0...1).contains($0.accuracy) }),
              (0...1).contains(report.full.accuracy) else {
            throw DeFTError(path, "the accuracy report needs rows with ratios in (0, 1] and accuracies in [0, 1]")
        }
        return AccuracyCurve(report: report)
    }

    /// The measured ratio nearest `ratio`: the legend's numbers are measured there, never interpolated.
    public func nearestRatio(to ratio: Double) -> Double {
        let all = Set(series.flatMap { $0.points.map(\.ratio) })
        return all.min { abs($0 - ratio) < abs($1 - ratio) } ?? 1
    }

    public func accuracy(_ s: Series, at ratio: Double) -> Double? { s.points.first { $0.ratio == ratio }?.accuracy }
}
