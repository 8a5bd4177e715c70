/// The group neighbourhoods of DeFT.md §2 for grids (image: 8-connected; video: same position in
/// frames t±1, t±2). Text neighbours are semantic and come from the scores (one GEMM).
public enum Neighbourhood {
    public static func grid(of i: Int, in layout: TokenLayout) -> [Int] {
        let (f, r, c) = layout.position(of: i)
        let hw = layout.tokensPerFrame
        switch layout.modality {
        case .image:
            var out: [Int] = []
            out.reserveCapacity(8)
            for dr in -1...1 {
                for dc in -1...1 where !(dr == 0 && dc == 0) {
                    let nr = r + dr, nc = c + dc
                    if nr >= 0, nr < layout.height, nc >= 0, nc < layout.width {
                        out.append(f * hw + nr * layout.width + nc)
                    }
                }
            }
            return out
        case .video:
            var out: [Int] = []
            out.reserveCapacity(4)
            for dt in -2...2 where dt != 0 {
                let nf = f + dt
                if nf >= 0, nf < layout.frames { out.append(nf * hw + r * layout.width + c) }
            }
            return out
        case .text:
            return []
        }
    }
}
