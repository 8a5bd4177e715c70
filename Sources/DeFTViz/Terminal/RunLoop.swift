import DeFT
import DeFTEval
import Foundation

/// The interactive loop: events in, `update`, side effects, `view`, diffed draw. Idle waits block.
public enum Viewer {
    public struct Settings: Sendable {
        public var ratio = 0.482
        public var mode = InferenceMode.fast
        public var channel = Channel.combined
        public var overlay = false
        public var color: ColorDepth?
        public var ascii = false
        public var tour = false
        public var baseline: Method?
        public var curves = false
        public var cost = CostModel(model: .llava7B, textTokens: 64)
        public var scorer = SampleScorer.Options()
        public init() {}
    }

    /// The initial state for a list of inputs: the first is loaded and scored now, the rest lazily.
    public static func initialState(paths: [String], names: [String], settings: Settings, width: Int, height: Int,
                                    depth: ColorDepth, unicode: Bool) -> AppState {
        var state = AppState(samples: zip(names, paths).map { SampleEntry.pending(name: $0, path: $1) },
                             width: width, height: height, depth: depth, unicode: unicode)
        state.ratio = settings.ratio; state.mode = settings.mode; state.channel = settings.channel; state.overlay = settings.overlay
        state.baseline = settings.baseline; state.showCurves = settings.curves; state.cost = settings.cost
        load(&state, index: 0, paths: paths, settings: settings)
        return state
    }

    static func load(_ state: inout AppState, index: Int, paths: [String], settings: Settings) {
        guard paths.indices.contains(index), case .pending = state.samples[index] else { return }
        do { state.install(try SampleScorer.score(paths[index], options: settings.scorer), at: index) }
        catch { state.markFailed(index, message: "\(error)") }
    }

    /// One frame without a terminal (`--snapshot`).
    public static func snapshot(paths: [String], names: [String], settings: Settings, width: Int, height: Int) throws -> String {
        let depth = settings.color ?? .none
        let state = initialState(paths: paths, names: names, settings: settings, width: width, height: height,
                                 depth: depth, unicode: !settings.ascii)
        if case .failed(_, let message)? = state.samples.first { throw DeFTError("", message) }
        return AnsiSnapshot.render(view(state), depth: depth)
    }

    /// Runs the viewer on the terminal until the user quits.
    public static func run(paths: [String], names: [String], settings: Settings, recorder: CastRecorder? = nil) {
        let terminal = TerminalBackend(requested: settings.color, forceASCII: settings.ascii, recorder: recorder)
        defer { terminal.close() }
        let (w, h) = terminal.size
        var state = AppState(samples: zip(names, paths).map { SampleEntry.pending(name: $0, path: $1) },
                             width: w, height: h, depth: terminal.depth, unicode: terminal.unicode)
        terminal.draw(view(state))           // "loading …" at once, then the first sample
        state = initialState(paths: paths, names: names, settings: settings, width: w, height: h,
                             depth: terminal.depth, unicode: terminal.unicode)
        if settings.tour { state.startTour() }
        while true {
            terminal.draw(view(state))
            guard let first = terminal.nextEvent(timeoutMs: state.wantsTicks ? 160 : -1) else {
                if state.wantsTicks { (state, _) = update(state, .tick) }
                continue
            }
            // Apply everything already waiting before drawing again: a held key or a fast wheel
            // coalesces into one frame.
            var event: Event? = first
            while let e = event {
                let (next, commands) = update(state, e)
                state = next
                for c in commands {
                    switch c {
                    case .quit: return
                    case .load(let i):
                        terminal.draw(view(state))
                        load(&state, index: i, paths: paths, settings: settings)
                    case .export:
                        state.note = FigureExport.exportView(state, input: paths[state.current])
                    }
                }
                event = terminal.nextEvent(timeoutMs: 0)
            }
        }
    }
}
