import Foundation
import Testing
@testable import DeFTViz

/// The escape sequences written for kitty and sixel, checked against the protocols' specifications
/// and decoded back into pixels.
@Suite struct PixelEncodingTests {
    static let esc: UInt8 = 0x1B
    static let st: [UInt8] = [0x1B, UInt8(ascii: "\\")]

    /// A test picture: colour bands with a gradient, opaque.
    static func picture(_ size: PixelSize) -> [UInt8] {
        var out = [UInt8](repeating: 255, count: size.width * size.height * 4)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let o = (y * size.width + x) * 4
                let band = (x * 4 / size.width)
                out[o] = band == 0 ? 230 : UInt8(x * 255 / max(size.width - 1, 1))
                out[o + 1] = band == 1 ? 200 : UInt8(y * 255 / max(size.height - 1, 1))
                out[o + 2] = band == 2 ? 240 : 40
            }
        }
        return out
    }

    /// Kitty's APC commands: (control keys, payload) each, and whatever lies outside them.
    static func apcs(_ bytes: [UInt8]) -> (commands: [(keys: [String: String], payload: [UInt8])], outside: Int) {
        var commands: [([String: String], [UInt8])] = [], outside = 0, i = 0
        while i < bytes.count {
            if bytes[i] == esc, i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "_"), bytes[i + 2] == UInt8(ascii: "G") {
                var j = i + 3
                while j + 1 < bytes.count, !(bytes[j] == esc && bytes[j + 1] == UInt8(ascii: "\\")) { j += 1 }
                let body = Array(bytes[(i + 3)..<j])
                let semi = body.firstIndex(of: UInt8(ascii: ";"))
                let control = String(decoding: body[..<(semi ?? body.count)], as: UTF8.self)
                var keys: [String: String] = [:]
                for kv in control.split(separator: ",") {
                    let p = kv.split(separator: "=", maxSplits: 1)
                    if p.count == 2 { keys[String(p[0])] = String(p[1]) }
                }
                commands.append((keys, semi.map { Array(body[($0 + 1)...]) } ?? []))
                i = j + 2
            } else {
                outside += 1; i += 1
            }
        }
        return (commands.map { (keys: $0.0, payload: $0.1) }, outside)
    }

    @Test func kittyIsOneTransmissionInChunksOfAtMost4096() throws {
        let cell = PixelSize(width: 9, height: 18), columns = 30, rows = 8
        let size = PixelEncoder.pixelSize(columns: columns, rows: rows, cell: cell, for: .kitty)
        #expect(size == PixelSize(width: 270, height: 144))
        let rgba = Self.picture(size)
        let bytes = PixelEncoder.encode(rgba: rgba, size: size, columns: columns, rows: rows, cell: cell, as: .kitty)
        let (commands, outside) = Self.apcs(bytes)
        #expect(outside == 0)                                   // nothing but APC G commands
        #expect(bytes.suffix(2).elementsEqual(Self.st))
        let first = try #require(commands.first)
        #expect(first.keys["a"] == "T")                         // transmit and display
        #expect(first.keys["f"] == "32")                        // RGBA
        #expect(first.keys["s"] == "\(size.width)" && first.keys["v"] == "\(size.height)")
        #expect(first.keys["c"] == "\(columns)" && first.keys["r"] == "\(rows)")
        #expect(first.keys["i"] == "\(PixelEncoder.canvasImageID)" && first.keys["p"] == "1")
        #expect(first.keys["q"] == "2" && first.keys["C"] == "1")
        // Chunked: m=1 on every command but the last, m=0 on the last; the payload base64, ≤ 4096 bytes each.
        #expect(commands.count > 3)
        for (n, c) in commands.enumerated() {
            #expect(c.keys["m"] == (n == commands.count - 1 ? "0" : "1"))
            #expect(c.payload.count <= 4096)
            #expect(c.payload.allSatisfy { b in
                (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2B || b == 0x2F || b == 0x3D })
            if n > 0 { #expect(Set(c.keys.keys) == ["m"]) }     // later chunks carry only m
        }
        // Every payload but the last is whole base64 quads (libchafa pads each chunk on its own, which
        // kitty decodes chunk by chunk); decoded and joined they are the picture itself.
        #expect(commands.dropLast().allSatisfy { $0.payload.count % 4 == 0 })
        var data = Data()
        for c in commands { data += try #require(Data(base64Encoded: Data(c.payload))) }
        #expect(data.count == size.width * size.height * 4)
        let diffs = zip(data, rgba).map { abs(Int($0) - Int($1)) }
        let exact = Double(diffs.filter { $0 == 0 }.count) / Double(max(diffs.count, 1))
        #expect(exact > 0.9, "only \(exact) of the bytes came back exact, worst \(diffs.max() ?? -1)")
    }

    /// A sixel decoder after the DEC specification: `#n;2;r;g;b` defines colour n in percent, `#n`
    /// selects it, a data byte 0x3F–0x7E sets six pixels of a column (bit 0 on top), `!count` repeats
    /// the next byte, `$` returns to the band's start and `-` goes to the next band.
    static func decodeSixel(_ bytes: [UInt8]) throws -> (header: String, raster: [Int], pixels: [[UInt8]?], width: Int, height: Int) {
        #expect(bytes.first == esc && bytes.dropFirst().first == UInt8(ascii: "P"))
        let q = try #require(bytes.firstIndex(of: UInt8(ascii: "q")))
        let header = String(decoding: bytes[2..<q], as: UTF8.self)
        #expect(bytes.suffix(2).elementsEqual(st))
        let body = Array(bytes[(q + 1)..<(bytes.count - 2)])
        var i = 0
        func number() -> Int {
            var n = 0
            while i < body.count, (0x30...0x39).contains(body[i]) { n = n * 10 + Int(body[i] - 0x30); i += 1 }
            return n
        }
        var raster: [Int] = []
        if body.first == UInt8(ascii: "\"") {
            i = 1
            raster.append(number())
            while i < body.count, body[i] == UInt8(ascii: ";") { i += 1; raster.append(number()) }
        }
        let width = raster.count == 4 ? raster[2] : 0, height = raster.count == 4 ? raster[3] : 0
        var pixels = [[UInt8]?](repeating: nil, count: width * height)
        var palette: [Int: [UInt8]] = [:]
        var colour = 0, x = 0, band = 0
        while i < body.count {
            let b = body[i]
            switch b {
            case UInt8(ascii: "#"):
                i += 1
                let n = number()
                if i < body.count, body[i] == UInt8(ascii: ";") {
                    i += 1; let space = number(); i += 1
                    let r = number(); i += 1; let g = number(); i += 1; let bl = number()
                    #expect(space == 2)                             // RGB, in percent
                    palette[n] = [r, g, bl].map { UInt8(($0 * 255 + 50) / 100) }
                }
                colour = n
            case UInt8(ascii: "$"): x = 0; i += 1
            case UInt8(ascii: "-"): x = 0; band += 1; i += 1
            case UInt8(ascii: "!"), 0x3F...0x7E:
                var count = 1
                if b == UInt8(ascii: "!") { i += 1; count = number() }
                let bits = Int(body[i]) - 0x3F
                i += 1
                for _ in 0..<count {
                    for k in 0..<6 where bits & (1 << k) != 0 {
                        let y = band * 6 + k
                        if x < width, y < height { pixels[y * width + x] = palette[colour] }
                    }
                    x += 1
                }
            default: i += 1
            }
        }
        return (header, raster, pixels, width, height)
    }

    @Test func sixelIsOneDCSWithRasterAttributesOfItsPixelSize() throws {
        // 17-pixel cells: 5 rows are 85 pixels, so the last band that fits ends at 84.
        let cell = PixelSize(width: 8, height: 17), columns = 12, rows = 5
        let size = PixelEncoder.pixelSize(columns: columns, rows: rows, cell: cell, for: .sixel)
        #expect(size == PixelSize(width: 96, height: 84))
        let rgba = Self.picture(size)
        let bytes = PixelEncoder.encode(rgba: rgba, size: size, columns: columns, rows: rows, cell: cell, as: .sixel)
        let decoded = try Self.decodeSixel(bytes)
        #expect(decoded.raster == [1, 1, size.width, size.height])     // "Pan;Pad;Ph;Pv: square pixels, the size
        #expect(bytes.filter { $0 == Self.esc }.count == 2)                   // one DCS, one ST: nothing else
        // Every pixel painted, and the palette's quantisation keeps the picture.
        let painted = decoded.pixels.compactMap { $0 }
        #expect(painted.count == size.width * size.height)
        var error = 0
        for (n, p) in decoded.pixels.enumerated() {
            guard let p else { continue }
            for c in 0..<3 { error += abs(Int(p[c]) - Int(rgba[n * 4 + c])) }
        }
        #expect(Double(error) / Double(painted.count * 3) < 12)
    }

    @Test func aLargeKittyPictureIsSentSmallerForTheTerminalToScale() throws {
        let cell = PixelSize(width: 10, height: 20), columns = 200, rows = 50
        let size = PixelEncoder.pixelSize(columns: columns, rows: rows, cell: cell, for: .kitty)
        #expect(size == PixelSize(width: 1000, height: 500))     // 2000×1000 scaled to fit 1024, cell by cell
        let bytes = PixelEncoder.encode(rgba: Self.picture(size), size: size, columns: columns, rows: rows, cell: cell, as: .kitty)
        let first = try #require(Self.apcs(bytes).commands.first)
        #expect(first.keys["s"] == "1000" && first.keys["v"] == "500" && first.keys["c"] == "200" && first.keys["r"] == "50")
        // A sixel cannot be scaled by the terminal: it keeps every pixel.
        #expect(PixelEncoder.pixelSize(columns: columns, rows: rows, cell: cell, for: .sixel) == PixelSize(width: 2000, height: 996))
    }

    @Test func cellsEncodeNothingAndBadInputIsRefused() {
        let cell = PixelSize.defaultCell
        #expect(PixelEncoder.encode(rgba: Self.picture(PixelSize(width: 20, height: 20)), size: PixelSize(width: 20, height: 20),
                                    columns: 2, rows: 1, cell: cell, as: .cells).isEmpty)
        // A buffer that does not match its size is not handed to libchafa.
        #expect(PixelEncoder.encode(rgba: [1, 2, 3], size: PixelSize(width: 20, height: 20), columns: 2, rows: 1, cell: cell, as: .kitty).isEmpty)
    }

    @Test func kittysCommandsAroundTheImage() {
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        let id = PixelEncoder.canvasImageID
        #expect(text(PixelEncoder.kittyDelete(freeData: false)) == "\u{1B}_Ga=d,d=i,i=\(id),q=2\u{1B}\\")
        #expect(text(PixelEncoder.kittyDelete(freeData: true)) == "\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\")
        #expect(text(PixelEncoder.kittyPlace(columns: 40, rows: 12)) == "\u{1B}_Ga=p,i=\(id),p=1,c=40,r=12,q=2,C=1\u{1B}\\")
        // Cursor saved, moved (1-based), restored around the image.
        #expect(text(PixelEncoder.at(column: 4, row: 2, Array("X".utf8))) == "\u{1B}7\u{1B}[3;5HX\u{1B}8")
    }

    @Test func tmuxPassthroughWrapsEachCommandWithItsEscapesDoubled() {
        let two = PixelEncoder.kittyDelete(freeData: true) + PixelEncoder.kittyPlace(columns: 2, rows: 1)
        let wrapped = String(decoding: PixelEncoder.tmuxPassthrough(two), as: UTF8.self)
        #expect(wrapped == "\u{1B}Ptmux;\u{1B}\u{1B}_Ga=d,d=I,i=\(PixelEncoder.canvasImageID),q=2\u{1B}\u{1B}\\\u{1B}\\"
                + "\u{1B}Ptmux;\u{1B}\u{1B}_Ga=p,i=\(PixelEncoder.canvasImageID),p=1,c=2,r=1,q=2,C=1\u{1B}\u{1B}\\\u{1B}\\")
    }
}
