/// Every key the viewer answers, once: the source of the `?` help and of the footer.
struct KeyBinding: Sendable {
    /// As the help shows them ("+ / -").
    let keys: String
    /// The footer's short form ("+- ratio"), nil for keys only the help lists.
    let footer: String?
    let help: String
}

enum KeyTable {
    /// In the footer's order of importance: on a narrow terminal the last ones are left out first.
    static let bindings: [KeyBinding] = [
        KeyBinding(keys: "?", footer: "? help", help: "this help; again for its next page"),
        KeyBinding(keys: "q", footer: "q quit", help: "quit (F10 and Ctrl-C too)"),
        KeyBinding(keys: "+ / -", footer: "+- ratio", help: "keep ratio ±1 point (48.2 → 49.2 / 47.2); wheel too"),
        KeyBinding(keys: "[ ] Tab 1-9", footer: "[] sample", help: "switch sample"),
        KeyBinding(keys: "b / B", footer: "b compare", help: "DeFT beside random, uniform, norm, saliency, ToMe"),
        KeyBinding(keys: "g", footer: "g curves", help: "retention curves beside the images"),
        KeyBinding(keys: "m", footer: "m mode", help: "mode fast → hybrid → adaptive (needs the gate)"),
        KeyBinding(keys: "c / C", footer: "c channel", help: "channel: combined, saliency, feedback, group, rank"),
        KeyBinding(keys: "o", footer: "o overlay", help: "overlay the channel on the pixels"),
        KeyBinding(keys: "s", footer: nil, help: "symbols: half → quad → sextant blocks (pixels a cell)"),
        KeyBinding(keys: "x / 0", footer: "x budget", help: "budgets 48.2 %, 192, 128, 64 of 576; 0: 48.2 %"),
        KeyBinding(keys: "r", footer: "r type", help: "type a keep ratio: 0.482, or 48.2%"),
        KeyBinding(keys: "t", footer: "t text", help: "type a text: all-MiniLM-L6-v2 encodes it, DeFT scores it"),
        KeyBinding(keys: "K / P / R", footer: "KPR jump", help: "cursor to the next kept / pruned / restored"),
        KeyBinding(keys: "e", footer: "e export", help: "export the view as a figure (PNG; SVG for text)"),
        KeyBinding(keys: "arrows hjkl", footer: "arrows cursor", help: "move the cursor token (click too)"),
        KeyBinding(keys: "PgUp / PgDn", footer: nil, help: "keep ratio ±10 points"),
        KeyBinding(keys: "< / >", footer: nil, help: "previous / next frame (video)"),
        KeyBinding(keys: "f", footer: nil, help: "video budget: global top-k ↔ k/F per frame"),
        KeyBinding(keys: "Esc", footer: nil, help: "close this help"),
    ]

    /// What the marks and numbers on screen mean (the help's second part).
    static let explanations = [
        "Kept: as is. Pruned: dimmed and hatched ╱. Violet: restored (hybrid).",
        "Yellow outline: cursor. Cyan: its group neighbourhood.",
        "s: combined score; a token is kept when s ≥ the k-th best s.",
        "H: entropy of softmax(s) in nats; its maximum ln N = all alike.",
        "err: mean stand-in error, 1 − cosine of each token to its",
        "  nearest kept one; cover: share within the threshold.",
        "Compare: magenta = the two differ; ToMe's groups share a tint.",
        "LLM ≈: prefill and KV cache for what is kept (an estimate).",
    ]

    /// The footer: as many keys as fit in `width`, most important first, in table order.
    static func footer(width: Int) -> String {
        var chosen: [String] = [], used = 1
        for b in bindings {
            guard let label = b.footer else { continue }
            if used + label.count + 2 > width { break }
            chosen.append(label); used += label.count + 2
        }
        return " " + chosen.joined(separator: "  ")
    }

    /// The help as lines: the title, every binding, then the explanations.
    static var helpLines: [String] {
        let keyWidth = bindings.map(\.keys.count).max() ?? 0
        return ["deft — which tokens DeFT keeps, and why", ""]
            + bindings.map { $0.keys.padding(toLength: keyWidth + 2, withPad: " ", startingAt: 0) + $0.help }
            + [""] + explanations
    }
}
