import DeFT
import DeFTViz
import Foundation

/// What a scrub costs the viewer: one 120×40 frame composed after a ratio step (every canvas's
/// pixels change: libchafa quantises them all) and after a cursor step (the pixels do not change:
/// the cells come from the cache and only the outline is drawn), per symbols and colour depth.
enum CanvasBench {
    struct Row: Codable {
        let sample: String, symbols: String, depth: String
        let ratioStep: Timing
        let cursorStep: Timing
    }

    static func measure(quick: Bool, repetitions: Int) -> [Row] {
        let samples = ["Samples/astronaut", "Samples/big-buck-bunny"].filter { FileManager.default.fileExists(atPath: $0) }
        var rows: [Row] = []
        for path in samples.prefix(quick ? 1 : 2) {
            for symbols in CellSymbols.allCases {
                for depth in [ColorDepth.truecolor, .xterm256, .ansi16] {
                    var settings = Viewer.Settings()
                    settings.symbols = symbols
                    var state = Viewer.firstFrameState(paths: [path], names: [path], settings: settings, width: 120, height: 40,
                                                       depth: depth, unicode: true)
                    guard state.scored != nil else { continue }
                    // 81 ratios in turn, more than the cell cache holds: every step is quantised afresh.
                    var step = 0
                    let ratio = Timing.measure(repetitions: max(repetitions, 10)) {
                        state.ratio = 0.1 + Double(step % 81) / 100
                        step += 1
                        _ = view(state)
                    }
                    var right = true
                    let cursor = Timing.measure(repetitions: max(repetitions, 10)) {
                        state = update(state, .key(.char(right ? "l" : "h"))).0
                        right.toggle()
                        _ = view(state)
                    }
                    rows.append(Row(sample: path, symbols: symbols.rawValue, depth: depth.rawValue, ratioStep: ratio, cursorStep: cursor))
                }
            }
        }
        return rows
    }

    static func table(_ rows: [Row]) -> [String] {
        guard !rows.isEmpty else { return [] }
        func ms(_ t: Timing) -> String { String(format: "%.1f ms (%.1f–%.1f)", t.medianMs, t.minMs, t.maxMs) }
        return ["", "viewer canvas, a 120×40 frame (libchafa cells):"]
            + [Table.render([["sample", "symbols", "colours", "ratio step", "cursor step"]]
                + rows.map { [$0.sample, $0.symbols, $0.depth, ms($0.ratioStep), ms($0.cursorStep)] })]
    }
}
