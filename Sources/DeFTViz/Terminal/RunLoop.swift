import DeFT
import DeFTEval
import Foundation

/// The interactive loop: events in, `update`, side effects, `view`, diffed draw. Idle waits block.
public enum Viewer {
    public struct Settings: Sendable {
        public var ratio = DeFTConfig.paperRatio
        public var mode = InferenceMode.fast
        public var channel = Channel.combined
        public var overlay = false
        public var color: ColorDepth?
        public var graphics = GraphicsRequest.auto
        public var ascii = false
        public var symbols = CellSymbols.standard
        public var tour = false
        /// How long each tour step stays on screen.
        public var tourStepMs = Tour.defaultStepMs
        public var baseline: Method?
        public var curves = false
        public var cost = CostModel(model: .llava7B, textTokens: 64)
        public var scorer = SampleScorer.Options()
        public init() {}
    }

    /// The state before anything is loaded, and the commands that start the first load.
    public static func initialState(paths: [String], names: [String], settings: Settings, width: Int, height: Int,
                                    depth: ColorDepth, unicode: Bool) -> (AppState, [Command]) {
        var state = AppState(samples: zip(names, paths).map { SampleEntry.pending(name: $0, path: $1) },
                             width: width, height: height, depth: depth, unicode: unicode)
        state.ratio = settings.ratio; state.mode = settings.mode; state.channel = settings.channel; state.overlay = settings.overlay
        state.baseline = settings.baseline; state.showCurves = settings.curves; state.cost = settings.cost
        state.symbols = settings.symbols
        if settings.tour { state.startTour() }
        return (state, state.show(sample: 0))
    }

    /// Carries out one side effect and returns its result as the event `update` expects.
    static func perform(_ command: Command, state: AppState, paths: [String], settings: Settings) -> Event? {
        switch command {
        case .quit:
            return nil
        case .load(let i):
            do { return .loaded(sampleIndex: i, .success(try SampleScorer.score(paths[i], options: settings.scorer))) }
            catch { return .loaded(sampleIndex: i, .failure(LoadFailure("\(error)"))) }
        case .compare(let i):
            guard case .ready(let scored)? = state.samples[safe: i] else { return nil }
            return .compared(sampleIndex: i, SampleScorer.comparison(scored, options: settings.scorer))
        case .scoreText(let i, let text):
            do { return .loaded(sampleIndex: i, .success(try SampleScorer.score(typed: text, name: state.samples[safe: i]?.name ?? "typed", options: settings.scorer))) }
            catch { return .loaded(sampleIndex: i, .failure(LoadFailure("\(error)"))) }
        case .export:
            return .exported(message: FigureExport.exportView(state, input: paths[state.current]))
        }
    }

    /// The state once every command has been carried out in turn (no terminal: the snapshot).
    static func settle(_ state: AppState, _ commands: [Command], paths: [String], settings: Settings) -> AppState {
        var state = state, queue = commands
        while !queue.isEmpty {
            let c = queue.removeFirst()
            guard let event = perform(c, state: state, paths: paths, settings: settings) else { continue }
            let (next, more) = update(state, event)
            state = next; queue += more
        }
        return state
    }

    /// The state of the first frame, with every side effect it asked for carried out (no terminal).
    public static func firstFrameState(paths: [String], names: [String], settings: Settings, width: Int, height: Int,
                                       depth: ColorDepth, unicode: Bool) -> AppState {
        let (initial, commands) = initialState(paths: paths, names: names, settings: settings, width: width, height: height,
                                               depth: depth, unicode: unicode)
        return settle(initial, commands, paths: paths, settings: settings)
    }

    /// One frame without a terminal (`--snapshot`).
    public static func snapshot(paths: [String], names: [String], settings: Settings, width: Int, height: Int) throws -> String {
        if ScreenLayout(width: width, height: height).tooSmall {
            throw DeFTError("--size", "\(width)x\(height) is too small for the viewer: it needs at least \(ScreenLayout.minimumWidth)x\(ScreenLayout.minimumHeight)")
        }
        let depth = settings.color ?? .none
        var state = firstFrameState(paths: paths, names: names, settings: settings, width: width, height: height,
                                    depth: depth, unicode: !settings.ascii)
        if case .failed(_, let message)? = state.samples.first { throw DeFTError("", message) }
        state.snapshot = true
        return AnsiSnapshot.render(view(state), depth: depth)
    }

    /// Runs the viewer on the terminal until the user quits.
    public static func run(paths: [String], names: [String], settings: Settings, recorder: CastRecorder? = nil) {
        // Asked before ncurses starts: the terminal's answer must not reach ncurses as keys.
        let graphics = TerminalQuery.detectGraphics(settings.graphics)
        let terminal = TerminalBackend(requested: settings.color, forceASCII: settings.ascii, recorder: recorder, graphics: graphics)
        defer { terminal.close() }
        let (w, h) = terminal.size
        var (state, pending) = initialState(paths: paths, names: names, settings: settings, width: w, height: h,
                                            depth: terminal.depth, unicode: terminal.unicode)
        state.pixels = terminal.graphics
        let jobs = BackgroundJobs()
        while true {
            for c in pending {
                if c == .quit { return }
                let snapshot = state
                jobs.submit { perform(c, state: snapshot, paths: paths, settings: settings) ?? .tick }
            }
            pending = []
            terminal.draw(view(state), pixels: pixelScene(state))
            // Block while idle; poll while the tour animates or a job is out; wake when a picture settles.
            let tick = Int32(max(settings.tourStepMs / Tour.ticksPerStep, 10))
            var timeout: Int32 = state.wantsTicks ? tick : (jobs.busy ? 30 : -1)
            if let settle = terminal.pixelWakeMs { timeout = timeout < 0 ? settle : min(timeout, settle) }
            var events = terminal.nextEvent(timeoutMs: timeout).map { [$0] } ?? (state.wantsTicks ? [.tick] : [])
            // Apply everything already waiting before drawing again: a held key or a fast wheel
            // coalesces into one frame.
            while let e = terminal.nextEvent(timeoutMs: 0) { events.append(e) }
            events += jobs.collect()
            for e in events {
                let (next, commands) = update(state, e)
                state = next
                pending += commands
            }
        }
    }
}
