import Foundation
import Testing
@testable import DeFT
@testable import DeFTMedia

@Suite struct ImageDecoderTests {
    /// 4×2 image: left half red, right half blue.
    let image = RGBImage(width: 4, height: 2, pixels: (0..<8).flatMap { i -> [UInt8] in i % 4 < 2 ? [255, 0, 0] : [0, 0, 255] })

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func pngRoundTripsExactlyAndResizesByAreaAverage() throws {
        let png = try ImageDecoder.encodePNG(image)
        let back = try ImageDecoder.decode(png, source: "mem.png")
        #expect(back == image)
        let small = Resample.resizedImage(back, width: 2, height: 1)
        #expect(small.pixels == [255, 0, 0, 0, 0, 255])
        let mixed = Resample.resize(back, width: 1, height: 1)
        #expect(mixed == [127.5, 0, 127.5])
    }

    @Test func jpegDecodesCloseToTheOriginal() throws {
        let flat = RGBImage(width: 16, height: 16, pixels: [UInt8](repeating: 0, count: 16 * 16 * 3).enumerated().map { $0.offset % 3 == 1 ? 200 : 40 })
        let back = try ImageDecoder.decode(try ImageDecoder.encodeJPEG(flat, quality: 95), source: "mem.jpg")
        #expect(back.width == 16 && back.height == 16)
        #expect(zip(back.pixels, flat.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 3 })
    }

    /// Adobe (Photoshop-convention, inverted) CMYK JPEGs — one written by Pillow, one YCCK written by
    /// libjpeg with Adobe transform 2 — of the same picture: left half C0 M200 Y200 K100, right half
    /// C200 M100 Y0 K0; RGB = (255 − C)(255 − K)/255 per channel.
    @Test(arguments: ["cmyk-8x6.jpg", "ycck-8x6.jpg"])
    func adobeCMYKAndYCCKJPEGsDecodeToRGB(_ name: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/image/\(name)").path
        let img = try ImageDecoder.load(path: path)
        #expect(img.width == 8 && img.height == 6)
        func close(_ p: (UInt8, UInt8, UInt8), _ q: (Int, Int, Int)) -> Bool {
            abs(Int(p.0) - q.0) <= 4 && abs(Int(p.1) - q.1) <= 4 && abs(Int(p.2) - q.2) <= 4
        }
        #expect(close(img.rgb(x: 0, y: 0), (155, 33, 33)), "\(img.rgb(x: 0, y: 0))")
        #expect(close(img.rgb(x: 6, y: 4), (55, 155, 255)), "\(img.rgb(x: 6, y: 4))")
    }

    @Test func truncatedJPEGIsRefusedNotPaddedWithGrey() throws {
        let big = RGBImage(width: 64, height: 64, pixels: (0..<(64 * 64 * 3)).map { UInt8(($0 * 7) % 251) })
        let jpeg = try ImageDecoder.encodeJPEG(big)
        let m = message { _ = try ImageDecoder.decode(Array(jpeg.prefix(jpeg.count / 2)), source: "cut.jpg") }
        #expect(m?.hasPrefix("cut.jpg: damaged JPEG") == true || m?.hasPrefix("cut.jpg: corrupt JPEG") == true, "\(m ?? "accepted")")
    }

    @Test func corruptTruncatedAndEmptyPNG() throws {
        let png = try ImageDecoder.encodePNG(image)
        #expect(message { _ = try ImageDecoder.decode(Array(png.prefix(30)), source: "t.png") }?.hasPrefix("t.png: ") == true)
        var bad = png
        for i in 40..<min(bad.count, 60) { bad[i] ^= 0x5A }
        #expect(message { _ = try ImageDecoder.decode(bad, source: "c.png") }?.hasPrefix("c.png: ") == true)
        #expect(message { _ = try ImageDecoder.decode([], source: "e.png") } == "e.png: empty file")
        #expect(message { _ = try ImageDecoder.decode(Array("hello".utf8), source: "x.png") } == "x.png: not a PNG, JPEG, PPM or PGM image")
    }

    @Test func hugeDimensionsAreRefusedBeforeDecoding() throws {
        // A valid PNG header claiming 100000×100000 pixels.
        var png = try ImageDecoder.encodePNG(image)
        let w = UInt32(100_000).bigEndian
        withUnsafeBytes(of: w) { for i in 0..<4 { png[16 + i] = $0[i]; png[20 + i] = $0[i] } }
        let m = message { _ = try ImageDecoder.decode(png, source: "huge.png") }
        #expect(m?.hasPrefix("huge.png: ") == true)
        let ppm = Array("P6\n100000 100000\n255\n".utf8) + [0, 0, 0]
        #expect(message { _ = try ImageDecoder.decode(ppm, source: "huge.ppm") }?.contains("outside what deft decodes") == true)
    }

    @Test func pgmAndPpmDecode() throws {
        let pgm = Array("P5\n# comment\n2 1\n255\n".utf8) + [10, 200]
        #expect(try ImageDecoder.decode(pgm, source: "g.pgm").pixels == [10, 10, 10, 200, 200, 200])
        let ppm = Array("P6 1 1 255\n".utf8) + [1, 2, 3]
        #expect(try ImageDecoder.decode(ppm, source: "c.ppm").pixels == [1, 2, 3])
        #expect(message { _ = try ImageDecoder.decode(Array("P6 2 2 255\n".utf8) + [1], source: "s.ppm") }?.contains("truncated") == true)
    }

    @Test func patchFeaturesSeeColourAndEdges() {
        // Three 8-px patches: red, red, then red turning white at x = 20 (an edge inside the third).
        var px = [UInt8](repeating: 0, count: 24 * 8 * 3)
        for y in 0..<8 { for x in 0..<24 {
            let o = (y * 24 + x) * 3
            px[o] = 255
            if x >= 20 { px[o + 1] = 255; px[o + 2] = 255 }
        } }
        let f = PatchFeatures.encode(RGBImage(width: 24, height: 8, pixels: px), gridHeight: 1, gridWidth: 3)
        #expect(f.rows == 3 && f.cols == PatchFeatures.width)
        #expect(f[1, 1] > 0.5)                                       // red has a large a*
        #expect((22..<30).map { f[1, $0] }.allSatisfy { $0 == 0 })   // flat, with flat neighbours: no edges
        #expect((22..<30).map { f[2, $0] }.reduce(0, +) > 0.5)       // the edge shows
        #expect(abs(f[1, 31] - 0.5) < 1e-6)
    }
}
