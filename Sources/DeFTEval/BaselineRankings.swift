import DeFT

/// The pruning baselines as rankings: a method keeps the first k of its ranking, so every ratio
/// is a prefix of one order (what makes retention curves a single pass).
public enum BaselineRankings {
    /// A seeded shuffle (Fisher–Yates over SplitMix64): the same seed, the same order, on every machine.
    public static func random(count n: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<n)
        var rng = SplitMix64(seed: seed ^ 0x5EED_BA5E)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }

    /// Tokens by descending L2 norm (ties: lower index first).
    public static func norm(_ tokens: Matrix) -> [Int] {
        let d = tokens.cols
        let norms: [Float] = (0..<tokens.rows).map { r in
            var s: Float = 0
            for f in 0..<d { let v = tokens.storage[r * d + f]; s += v * v }
            return s
        }
        return DeFTPipeline.ranking(norms)
    }

    /// Saliency alone: DeFT's s_sem without the group and feedback terms.
    public static func saliency(_ scores: TokenScores) -> [Int] {
        DeFTPipeline.ranking(scores.saliency)
    }

    /// Evenly spread tokens. Within a frame (or along text), farthest-point order from the centre:
    /// each next token is the one farthest from all chosen so far, so every prefix covers the grid
    /// evenly. Video deals frames round-robin, so any k gives frames counts that differ by at most one.
    public static func uniform(_ layout: TokenLayout) -> [Int] {
        // A line (text): bit-reversed order, whose every prefix is spread evenly. Farthest-point
        // fills each gap size left to right, which kept a whole first paragraph and a third of the rest.
        if layout.frames == 1 && min(layout.height, layout.width) == 1 { return evenLine(layout.count) }
        let frameOrder = farthestPoint(height: layout.height, width: layout.width)
        guard layout.frames > 1 else { return frameOrder }
        let per = layout.tokensPerFrame, f = layout.frames
        // Each round deals the frames in an order that spreads its first picks across the clip,
        // shifted per round so the frames that get one token more differ from prefix to prefix.
        let frameDeal = farthestPoint(height: 1, width: f)
        var order: [Int] = []
        order.reserveCapacity(layout.count)
        for (p, spot) in frameOrder.enumerated() {
            for t in frameDeal { order.append(((t + p) % f) * per + spot) }
        }
        return order
    }

    /// 0..<n in van der Corput order (bit-reversed positions scaled to n): any prefix of k
    /// positions leaves no gap much wider than n/k.
    static func evenLine(_ n: Int) -> [Int] {
        guard n > 1 else { return Array(0..<max(n, 0)) }
        var bits = 0
        while (1 << bits) < n { bits += 1 }
        let size = 1 << bits
        var seen = [Bool](repeating: false, count: n), order: [Int] = []
        order.reserveCapacity(n)
        for i in 0..<size {
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            let p = r * n / size
            if !seen[p] { seen[p] = true; order.append(p) }
        }
        for p in 0..<n where !seen[p] { order.append(p) }
        return order
    }

    /// Farthest-point order of an h×w grid, starting at the centre; ties go to the lower index.
    static func farthestPoint(height h: Int, width w: Int) -> [Int] {
        let n = h * w
        guard n > 0 else { return [] }
        var dist = [Int](repeating: .max, count: n)
        var chosen = [Bool](repeating: false, count: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        var next = (h / 2) * w + w / 2
        for _ in 0..<n {
            order.append(next)
            chosen[next] = true
            let r0 = next / w, c0 = next % w
            var best = -1, bestDist = -1
            for i in 0..<n where !chosen[i] {
                let dr = i / w - r0, dc = i % w - c0
                dist[i] = min(dist[i], dr * dr + dc * dc)
                if dist[i] > bestDist { bestDist = dist[i]; best = i }
            }
            if best < 0 { break }
            next = best
        }
        return order
    }
}
