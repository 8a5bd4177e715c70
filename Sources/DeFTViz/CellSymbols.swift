/// The block glyphs the image canvases are drawn with. Finer symbols carry more of the picture per
/// cell (half blocks 1×2 pixels, quadrants 2×2, sextants 2×3); sextants need a font that has them
/// (Unicode 13's legacy computing block), quadrants are in every font with the block elements.
public enum CellSymbols: String, CaseIterable, Sendable {
    case half, quad, sextant

    /// What the viewer starts with: quadrants double half blocks' detail and, unlike sextants,
    /// show in any font a terminal reached over SSH is likely to use.
    public static let standard = CellSymbols.quad

    /// Pixels per cell, across and down.
    var subPixels: (x: Int, y: Int) {
        switch self {
        case .half: (1, 2)
        case .quad: (2, 2)
        case .sextant: (2, 3)
        }
    }

    /// Where each pixel column and row starts inside libchafa's 8×8 cell, and its end: its sextants
    /// are 3, 2 and 3 pixels tall.
    var columnStarts: [Int] { self == .half ? [0, 8] : [0, 4, 8] }
    var rowStarts: [Int] { self == .sextant ? [0, 3, 5, 8] : [0, 4, 8] }

    var next: CellSymbols { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }

    /// The glyph whose foreground covers `mask`'s pixels (bit `row · width + column`).
    func glyph(mask: Int) -> Character {
        switch self {
        case .half:
            return [" ", "▀", "▄", "█"][mask & 3]
        case .quad:
            return [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"][mask & 15]
        case .sextant:
            // U+1FB00… lists the sextants in mask order, leaving out the two that are half blocks.
            let m = mask & 63
            switch m {
            case 0: return " "
            case 21: return "▌"
            case 42: return "▐"
            case 63: return "█"
            default: return Character(Unicode.Scalar(0x1FB00 + UInt32(m - 1 - (m > 21 ? 1 : 0) - (m > 42 ? 1 : 0)))!)
            }
        }
    }
}
