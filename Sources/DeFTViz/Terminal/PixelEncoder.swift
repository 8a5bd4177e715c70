import CChafa

/// Images as terminal escape sequences. libchafa encodes them (kitty's base64 chunks, sixel's palette
/// and bands); written here are only kitty's short commands around an image and where it goes.
public enum PixelEncoder {
    /// The id of deft's canvas image in kitty: it is transmitted once per picture and then only
    /// placed or taken off the screen.
    public static let canvasImageID: UInt32 = 0xDEF7
    /// Its one placement: placing it again replaces that placement instead of adding a second.
    static let placementID = 1

    /// Kitty scales a picture to the cells it is placed on: past this many pixels a side it is sent
    /// with fewer pixels rather than as a bigger transfer (RGBA in base64 is 5⅓ bytes a pixel).
    public static let maxKittySide = 1024

    /// The cell size the picture is made for: the terminal's, or for a large kitty picture a smaller one.
    static func encodingCell(columns: Int, rows: Int, cell: PixelSize, for p: GraphicsProtocol) -> PixelSize {
        let side = max(columns * cell.width, rows * cell.height)
        guard p == .kitty, side > maxKittySide else { return cell }
        let k = Double(maxKittySide) / Double(side)
        return PixelSize(width: max(1, Int(Double(cell.width) * k)), height: max(1, Int(Double(cell.height) * k)))
    }

    /// The pixels an image over `columns`×`rows` cells has. A sixel is drawn in bands six pixels high:
    /// a last band the cells cannot fill is left out rather than spill into the row below.
    public static func pixelSize(columns: Int, rows: Int, cell: PixelSize, for p: GraphicsProtocol) -> PixelSize {
        let c = encodingCell(columns: columns, rows: rows, cell: cell, for: p)
        let h = rows * c.height
        return PixelSize(width: columns * c.width, height: p == .sixel ? h - h % 6 : h)
    }

    /// `rgba` (`size` pixels, 4 bytes each, `pixelSize`'s) as one image over `columns`×`rows` cells. Kitty's carries
    /// the canvas id and placement, asks for no answer (q=2: an answer would arrive as keystrokes) and leaves the
    /// cursor where it was (C=1). Empty for `.cells`.
    public static func encode(rgba: [UInt8], size: PixelSize, columns: Int, rows: Int, cell: PixelSize,
                              as p: GraphicsProtocol) -> [UInt8] {
        guard p != .cells, columns > 0, rows > 0, size.width > 0, size.height > 0,
              rgba.count == size.width * size.height * 4 else { return [] }
        guard let config = chafa_canvas_config_new() else { return [] }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_pixel_mode(config, p == .kitty ? CHAFA_PIXEL_MODE_KITTY : CHAFA_PIXEL_MODE_SIXELS)
        chafa_canvas_config_set_geometry(config, Int32(columns), Int32(rows))
        let c = encodingCell(columns: columns, rows: rows, cell: cell, for: p)
        chafa_canvas_config_set_cell_geometry(config, Int32(c.width), Int32(c.height))
        guard let canvas = chafa_canvas_new(config) else { return [] }
        defer { chafa_canvas_unref(canvas) }
        rgba.withUnsafeBufferPointer {
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, $0.baseAddress,
                                         Int32(size.width), Int32(size.height), Int32(size.width * 4))
        }
        // chafa's own sequences (its fallback knows every protocol), with kitty's first one carrying our keys.
        guard let info = chafa_term_db_get_fallback_info(chafa_term_db_get_default()) else { return [] }
        defer { chafa_term_info_unref(info) }
        if p == .kitty {
            let begin = "\u{1B}_Ga=T,f=%1,s=%2,v=%3,c=%4,r=%5,i=\(canvasImageID),p=\(placementID),q=2,C=1,m=1\u{1B}\\"
            guard chafa_term_info_set_seq(info, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1, begin, nil) != 0 else { return [] }
        }
        guard let printed = chafa_canvas_print(canvas, info) else { return [] }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: printed.pointee.str, count: Int(printed.pointee.len)))
        g_string_free(printed, 1)
        return bytes
    }

    /// Takes the canvas image off the screen; with `freeData` the terminal also forgets its pixels.
    public static func kittyDelete(freeData: Bool) -> [UInt8] {
        Array("\u{1B}_Ga=d,d=\(freeData ? "I" : "i"),i=\(canvasImageID),q=2\u{1B}\\".utf8)
    }

    /// Shows the already transmitted canvas image again, at the cursor, over `columns`×`rows` cells.
    public static func kittyPlace(columns: Int, rows: Int) -> [UInt8] {
        Array("\u{1B}_Ga=p,i=\(canvasImageID),p=\(placementID),c=\(columns),r=\(rows),q=2,C=1\u{1B}\\".utf8)
    }

    /// `body` written with its top-left corner at a cell (0-based), the cursor saved before and put
    /// back after: ncurses goes on believing the cursor is where it left it.
    public static func at(column: Int, row: Int, _ body: [UInt8]) -> [UInt8] {
        Array("\u{1B}7\u{1B}[\(row + 1);\(column + 1)H".utf8) + body + Array("\u{1B}8".utf8)
    }

    /// Each escape string (APC, DCS) wrapped for tmux to hand to the outer terminal unread
    /// (`ESC P tmux;` … `ESC \`, every ESC inside doubled); anything between them passes as it is.
    public static func tmuxPassthrough(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 64 + 16)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "_") || bytes[i + 1] == UInt8(ascii: "P") {
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == 0x1B && bytes[j + 1] == UInt8(ascii: "\\")) { j += 1 }
                let end = min(j + 2, bytes.count)
                out += Array("\u{1B}Ptmux;".utf8)
                for b in bytes[i..<end] {
                    if b == 0x1B { out.append(0x1B) }
                    out.append(b)
                }
                out += [0x1B, UInt8(ascii: "\\")]
                i = end
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }
}
