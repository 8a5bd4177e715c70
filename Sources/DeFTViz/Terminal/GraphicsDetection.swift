/// How the image canvas reaches the screen: as real pixels (kitty's graphics protocol or sixel)
/// or as cells like everything else.
public enum GraphicsProtocol: String, Sendable, Equatable {
    case kitty, sixel, cells
}

/// `--graphics`: detect, or force one way of drawing.
public enum GraphicsRequest: String, Sendable, CaseIterable {
    case auto, kitty, sixel, cells
}

/// A pixel size (of a terminal cell, or of an image).
public struct PixelSize: Equatable, Sendable {
    public var width: Int, height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    /// When neither the kernel nor the terminal says: the most common cell of a 12–13 pt font.
    public static let defaultCell = PixelSize(width: 10, height: 20)
}

/// What was decided, and why (the README and the status line say which).
public struct GraphicsDecision: Equatable, Sendable {
    public var drawing: GraphicsProtocol
    /// Wrap the image sequences in tmux's passthrough (only when the user forced kitty inside tmux).
    public var tmuxPassthrough = false
    /// The cell size the terminal reported in its answer, if it answered.
    public var reportedCell: PixelSize?
    public var reason: String
    public init(drawing: GraphicsProtocol, tmuxPassthrough: Bool = false, reportedCell: PixelSize? = nil, reason: String) {
        self.drawing = drawing; self.tmuxPassthrough = tmuxPassthrough; self.reportedCell = reportedCell; self.reason = reason
    }
}

/// Pixel-graphics detection: the environment first, then (only on a terminal) one query whose answer
/// is parsed here from bytes; the tty I/O itself is `TerminalQuery`'s.
public enum GraphicsDetection {
    /// The id of the 1×1 image the kitty query asks about; the answer names it.
    static let queryImageID = 31
    /// Kitty's graphics query (a=q: check a 1×1 RGB image, store nothing), the cell size in pixels
    /// (CSI 16 t), then DA1. Every terminal answers DA1, and answers in order: once its answer is in,
    /// nothing else is coming, so a terminal that knows neither is found out without a long wait.
    public static let query: [UInt8] = Array("\u{1B}_Gi=\(queryImageID),s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\\u{1B}[16t\u{1B}[c".utf8)
    /// How long to wait for the answer: a local terminal answers in a millisecond, over SSH in a round trip.
    public static let timeoutMs = 150

    /// What the environment alone settles: a protocol (and why), or a question for the terminal.
    public enum EnvironmentVerdict: Equatable, Sendable {
        case use(GraphicsProtocol, because: String)
        case ask
    }

    public static func insideTmux(_ env: [String: String]) -> Bool {
        let term = env["TERM"] ?? ""
        return !(env["TMUX"] ?? "").isEmpty || env["TERM_PROGRAM"] == "tmux" || term.hasPrefix("tmux") || term.hasPrefix("screen")
    }

    public static func environment(_ env: [String: String]) -> EnvironmentVerdict {
        let term = env["TERM"] ?? "", program = env["TERM_PROGRAM"] ?? ""
        // tmux and screen keep their own grid and drop image sequences unless passthrough is on,
        // and answer the queries themselves: pixels there only when the user asks.
        if insideTmux(env) { return .use(.cells, because: "inside tmux or screen (pixels need passthrough)") }
        if term == "xterm-kitty" || !(env["KITTY_WINDOW_ID"] ?? "").isEmpty { return .use(.kitty, because: "kitty (TERM or KITTY_WINDOW_ID)") }
        if term == "xterm-ghostty" || program == "ghostty" { return .use(.kitty, because: "Ghostty") }
        // WezTerm speaks both; its kitty images are the ones that redraw cleanly.
        if program == "WezTerm" { return .use(.kitty, because: "WezTerm") }
        if program == "iTerm.app" { return .use(.sixel, because: "iTerm2") }
        if term.hasPrefix("foot") || term == "mlterm" || term.hasPrefix("contour") { return .use(.sixel, because: "TERM=\(term)") }
        // The Linux console and dumb terminals draw no images and may never answer a query.
        if term.isEmpty || term == "dumb" || term == "linux" || term.hasPrefix("vt1") || term.hasPrefix("vt2") {
            return .use(.cells, because: term.isEmpty ? "no TERM" : "TERM=\(term)")
        }
        return .ask
    }

    /// The terminal's answer to `query`, as far as it has come.
    public struct Reply: Equatable, Sendable {
        /// Kitty answered OK for the query's image before its DA1 answer.
        public var kitty = false
        /// DA1's attributes (`ESC [ ? 62 ; 4 ; 22 c` → [62, 4, 22]); nil until it has come.
        public var deviceAttributes: [Int]?
        public var cell: PixelSize?
        /// DA1 is the last answer: after it the terminal has said all it will.
        public var complete: Bool { deviceAttributes != nil }
        public var sixel: Bool { deviceAttributes?.contains(4) ?? false }
        public init(kitty: Bool = false, deviceAttributes: [Int]? = nil, cell: PixelSize? = nil) {
            self.kitty = kitty; self.deviceAttributes = deviceAttributes; self.cell = cell
        }
    }

    /// Reads the answers out of whatever came back (keys typed meanwhile and garbage are skipped).
    public static func parse(_ bytes: [UInt8]) -> Reply {
        var reply = Reply()
        var i = 0
        let esc: UInt8 = 0x1B
        /// The index of the string terminator (ESC \ or BEL) at or after j, nil if it has not come.
        func terminator(from j: Int) -> (start: Int, end: Int)? {
            var k = j
            while k < bytes.count {
                if bytes[k] == 0x07 { return (k, k + 1) }
                if bytes[k] == esc, k + 1 < bytes.count, bytes[k + 1] == UInt8(ascii: "\\") { return (k, k + 2) }
                k += 1
            }
            return nil
        }
        while i < bytes.count {
            guard bytes[i] == esc, i + 1 < bytes.count else { i += 1; continue }
            let kind = bytes[i + 1]
            if kind == UInt8(ascii: "_") {
                // APC: kitty's answer is `G` keys `;` message.
                guard let end = terminator(from: i + 2) else { break }
                let body = String(decoding: bytes[(i + 2)..<end.start], as: UTF8.self)
                if body.hasPrefix("G") {
                    let parts = body.dropFirst().split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
                    let keys = parts.first.map { $0.split(separator: ",").map(String.init) } ?? []
                    if keys.contains("i=\(queryImageID)"), parts.count == 2, parts[1] == "OK" { reply.kitty = true }
                }
                i = end.end
            } else if kind == UInt8(ascii: "[") {
                // CSI: parameters, intermediates, one final byte.
                var j = i + 2
                while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
                guard j < bytes.count else { break }
                let params = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                let final = bytes[j]
                if final == UInt8(ascii: "c"), params.hasPrefix("?") {
                    reply.deviceAttributes = params.dropFirst().split(separator: ";").compactMap { Int($0) }
                    return reply
                }
                if final == UInt8(ascii: "t") {
                    let n = params.split(separator: ";").compactMap { Int($0) }
                    if n.count == 3, n[0] == 6, n[1] > 0, n[2] > 0 { reply.cell = PixelSize(width: n[2], height: n[1]) }
                }
                i = j + 1
            } else if kind == UInt8(ascii: "P") || kind == UInt8(ascii: "]") {
                // DCS or OSC answers to queries we did not send: skipped whole.
                guard let end = terminator(from: i + 2) else { break }
                i = end.end
            } else {
                i += 2
            }
        }
        return reply
    }

    /// Kitty's protocol first (images are kept by the terminal and re-placed without resending), then sixel.
    public static func protocolFor(_ reply: Reply) -> GraphicsProtocol {
        reply.kitty ? .kitty : (reply.sixel ? .sixel : .cells)
    }

    /// The whole decision. `ask` sends `query` and returns what came back within the timeout, or nil
    /// when there is no terminal to ask; it is only called when the environment leaves it open.
    public static func decide(_ request: GraphicsRequest, environment env: [String: String], ask: () -> [UInt8]?) -> GraphicsDecision {
        switch request {
        case .cells:
            return GraphicsDecision(drawing: .cells, reason: "--graphics cells")
        case .kitty, .sixel:
            // Forced inside tmux: kitty's images go through tmux's passthrough (allow-passthrough on);
            // a sixel is written as it is, for a tmux built with sixel support to draw itself.
            let forced: GraphicsProtocol = request == .kitty ? .kitty : .sixel
            return GraphicsDecision(drawing: forced, tmuxPassthrough: forced == .kitty && insideTmux(env), reason: "--graphics \(request.rawValue)")
        case .auto:
            if case .use(let p, let why) = environment(env) { return GraphicsDecision(drawing: p, reason: why) }
            guard let bytes = ask() else { return GraphicsDecision(drawing: .cells, reason: "not a terminal") }
            let reply = parse(bytes)
            let p = protocolFor(reply)
            let why: String
            switch p {
            case .kitty: why = "the terminal answered kitty's graphics query"
            case .sixel: why = "the terminal's device attributes include sixel"
            case .cells: why = reply.complete ? "the terminal's device attributes have no sixel" : "no answer from the terminal"
            }
            return GraphicsDecision(drawing: p, reportedCell: reply.cell, reason: why)
        }
    }
}
