import CNcursesw
import DeFT
import Foundation

/// Set by SIGCONT: after Ctrl-Z and `fg` ncurses has cleared and repainted the screen, and the
/// terminal may have dropped its images with the alternate screen.
nonisolated(unsafe) private var resumedFromStop: sig_atomic_t = 0
/// The handler's note to the thread that wakes the run loop (write(2) is all a handler may do).
nonisolated(unsafe) private var resumeNote: Int32 = -1

/// The only code that touches ncurses: start and stop the screen, read events, and draw frames by
/// writing only the cells that changed, with colours mapped to what the terminal can show.
public final class TerminalBackend {
    public private(set) var depth: ColorDepth = .none
    public let unicode: Bool
    private var previous: Frame?
    private var pairs: [UInt64: Int32] = [:]
    private var open = false
    private let recorder: CastRecorder?
    /// The image canvas in pixels (kitty or sixel), nil when everything is cells.
    private var pixels: PixelLayer?
    private let reportedCell: PixelSize?

    /// Starts the screen. `requested` is --color; nil means detect. With a recorder, everything
    /// written to the terminal also goes into its cast. `graphics`: how the image canvas is drawn
    /// (decided before the screen starts, since it asks the terminal).
    public init(requested: ColorDepth?, forceASCII: Bool, recorder: CastRecorder? = nil,
                graphics: GraphicsDecision = GraphicsDecision(drawing: .cells, reason: "")) {
        pixels = graphics.drawing == .cells ? nil : PixelLayer(drawing: graphics.drawing, passthrough: graphics.tmuxPassthrough)
        reportedCell = graphics.reportedCell
        if pixels != nil { Self.watchResume() }
        setlocale(LC_ALL, "")
        unicode = !forceASCII && String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        self.recorder = recorder
        TerminalGuard.install()
        recorder?.begin()
        // Terminals that say COLORTERM=truecolor usually still set TERM=xterm-256color, whose terminfo
        // has 256 colours: start on its -direct sibling instead, which differs only in colour.
        let env = ProcessInfo.processInfo.environment
        if let direct = DirectColour.terminfo(term: env["TERM"], colorterm: env["COLORTERM"], requested: requested,
                                              noColor: !(env["NO_COLOR"] ?? "").isEmpty, exists: DirectColour.installed),
           let screen = deft_newterm(direct) {
            set_term(screen)
        } else {
            initscr()
        }
        open = true
        cbreak()
        noecho()
        nonl()
        keypad(deft_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        mousemask(deft_all_mouse_events(), nil)
        mouseinterval(0)
        var colours = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colours = Int(deft_colors())
        }
        depth = ColorDepthDetection.decide(explicit: requested, environment: ProcessInfo.processInfo.environment,
                                           terminfoColors: colours, terminfoRGB: deft_rgb_flag() > 0)
        // 24-bit needs a direct-colour terminfo; without one, say 256 rather than pretend.
        if depth == .truecolor && colours < 1 << 24 { depth = colours >= 256 ? .xterm256 : (colours >= 16 ? .ansi16 : (colours >= 8 ? .ansi8 : .none)) }
        if colours < 8 { depth = .none }
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(deft_stdscr())), Int(getmaxy(deft_stdscr()))) }

    /// How the image canvas is drawn.
    public var graphics: GraphicsProtocol { pixels?.drawing ?? .cells }

    /// Milliseconds until a new picture has settled and wants drawing, nil when none waits.
    public var pixelWakeMs: Int32? { pixels?.wakeAfterMs(nowMs: Self.nowMs) }

    static var nowMs: UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    /// Restores the terminal. Safe to call twice.
    public func close() {
        guard open else { return }
        open = false
        if let bytes = pixels?.clear(), !bytes.isEmpty { _ = TerminalQuery.writeAll(STDOUT_FILENO, bytes) }
        if pixels != nil {
            signal(SIGCONT, SIG_DFL)
            if resumeNote >= 0 { Glibc.close(resumeNote); resumeNote = -1 }     // the watcher reads EOF and ends
        }
        endwin()
        recorder?.end()
        TerminalGuard.uninstall()
    }

    deinit { close() }

    /// The picture must come back after `fg` without a key. ncurses' wait sits in a read that its
    /// SIGTSTP handler restarts, but a SIGWINCH ends it (KEY_RESIZE): a thread sends one just after the
    /// stop handler has returned.
    private static func watchResume() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }     // not for ffmpeg and other children
        resumeNote = fds[1]
        let note = fds[0]
        signal(SIGCONT) { _ in
            resumedFromStop = 1
            var b: UInt8 = 1
            _ = write(resumeNote, &b, 1)
        }
        Thread {
            var b: UInt8 = 0
            while read(note, &b, 1) == 1 {
                usleep(50_000)
                kill(getpid(), SIGWINCH)
            }
            Glibc.close(note)
        }.start()
    }

    /// Draws `frame`, sending only cells that differ from the last one drawn, and then the pixel
    /// canvas `scene` over it (written after ncurses' refresh, which does not know about it).
    public func draw(_ frame: Frame, pixels scene: PixelScene? = nil) {
        let full = previous.map { $0.width != frame.width || $0.height != frame.height } ?? true
        if full { werase(deft_stdscr()) }
        var cc = cchar_t()
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let cell = frame[x, y]
                if !full, let p = previous, p[x, y] == cell { continue }
                var pair = pairNumber(cell)
                var attrs: attr_t = 0
                if cell.style.contains(.bold) { attrs |= deft_a_bold() }
                if cell.style.contains(.dim) { attrs |= deft_a_dim() }
                if cell.style.contains(.underline) { attrs |= deft_a_underline() }
                if cell.style.contains(.reverse) { attrs |= deft_a_reverse() }
                let scalar = cell.glyph.terminalSafe.unicodeScalars.first.map { Int32(bitPattern: $0.value) } ?? 32
                var wide: [wchar_t] = [scalar, 0]
                setcchar(&cc, &wide, attrs, 0, &pair)
                mvwadd_wch(deft_stdscr(), Int32(y), Int32(x), &cc)
            }
        }
        var image: [UInt8] = []
        if var layer = pixels {
            // Back from a stop: whatever picture there was is gone; a new one follows once it settles.
            if resumedFromStop != 0 { resumedFromStop = 0; layer.forget() }
            let cell = TerminalQuery.cellPixels(STDIN_FILENO) ?? reportedCell ?? .defaultCell
            let step = layer.step(scene, cell: cell, damaged: layer.damaged(previous: full ? nil : previous, frame: frame),
                                  cleared: full, nowMs: Self.nowMs)
            pixels = layer
            // A sixel that goes is wiped by repainting its rows: ncurses thinks they already show blanks.
            if let rows = step.repaintRows { wredrawln(deft_stdscr(), Int32(rows.lowerBound), Int32(rows.count)) }
            image = step.output
        }
        wrefresh(deft_stdscr())
        if !image.isEmpty { _ = TerminalQuery.writeAll(STDOUT_FILENO, image) }
        previous = frame
    }

    /// Forget what is on screen (after a resize or a resume) so the next draw repaints all.
    public func invalidate() { previous = nil }

    private func colourIndex(_ c: RGB?) -> Int32 {
        guard let c else { return -1 }
        switch depth {
        case .none: return -1
        case .truecolor:
            // Direct colour: values below 8 would be taken as palette entries.
            let v = Int32(c.r) << 16 | Int32(c.g) << 8 | Int32(c.b)
            return max(v, 8)
        case .xterm256: return Int32(TerminalPalette.index256(c))
        case .ansi16: return Int32(TerminalPalette.indexANSI(c, count: 16))
        case .ansi8: return Int32(TerminalPalette.indexANSI(c, count: 8))
        }
    }

    private func pairNumber(_ cell: Cell) -> Int32 {
        guard depth != .none, cell.fg != nil || cell.bg != nil else { return 0 }
        // Truecolour is quantised to 6 bits a channel so the pair pool stays bounded.
        func q(_ c: RGB?) -> RGB? { depth == .truecolor ? c.map { RGB($0.r | 3, $0.g | 3, $0.b | 3) } : c }
        let fg = colourIndex(q(cell.fg)), bg = colourIndex(q(cell.bg))
        let key = UInt64(UInt32(bitPattern: fg)) << 32 | UInt64(UInt32(bitPattern: bg))
        if let p = pairs[key] { return p }
        let p = alloc_pair(fg, bg)
        if p < 0 { return 0 }
        pairs[key] = p
        return p
    }

    /// The next event, waiting at most `timeoutMs` (−1 = until one comes; no busy loop when idle).
    public func nextEvent(timeoutMs: Int32) -> Event? {
        wtimeout(deft_stdscr(), timeoutMs)
        var ch: wint_t = 0
        let r = wget_wch(deft_stdscr(), &ch)
        if r == ERR { return nil }
        let code = Int32(ch)
        if r == KEY_CODE_YES {
            switch code {
            case KEY_RESIZE:
                invalidate()
                recorder?.resized(width: size.width, height: size.height)
                return .resize(width: size.width, height: size.height)
            case KEY_MOUSE:
                var m = MEVENT()
                guard getmouse(&m) == OK else { return nil }
                let kind: MouseEvent.Kind
                if m.bstate & deft_button4_pressed() != 0 { kind = .wheelUp }
                else if m.bstate & deft_button5_pressed() != 0 { kind = .wheelDown }
                else if m.bstate & deft_button1_pressed() != 0 { kind = .press }
                else if m.bstate & deft_button1_released() != 0 { kind = .release }
                else { return nil }
                return .mouse(MouseEvent(kind: kind, x: Int(m.x), y: Int(m.y)))
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case deft_key_f0() + 1 ... deft_key_f0() + 12: return .key(.function(Int(code - deft_key_f0())))
            default: return nil
            }
        }
        switch code {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(code) + 96))))
        default:
            guard let s = Unicode.Scalar(UInt32(code)) else { return nil }
            return .key(.char(Character(s)))
        }
    }
}
