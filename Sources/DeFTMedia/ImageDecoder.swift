import CImageCodec
import DeFT
import Foundation

/// PNG, JPEG and binary PPM/PGM into `RGBImage`, chosen by the file's leading bytes.
public enum ImageDecoder {
    public static func load(path: String) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        return try decode([UInt8](data), source: path)
    }

    public static func decode(_ bytes: [UInt8], source: String) throws -> RGBImage {
        guard !bytes.isEmpty else { throw DeFTError(source, "empty file") }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try viaC(bytes, source, deft_png_decode) }
        if bytes.starts(with: [0xFF, 0xD8]) { return try viaC(bytes, source, deft_jpeg_decode) }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "6") {
            return try PNM.decode(bytes, source: source)
        }
        throw DeFTError(source, "not a PNG, JPEG, PPM or PGM image")
    }

    private static func viaC(_ bytes: [UInt8], _ source: String,
                             _ decode: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<deft_image>?) -> Int32) throws -> RGBImage {
        var image = deft_image()
        let status = bytes.withUnsafeBufferPointer { decode($0.baseAddress, $0.count, &image) }
        defer { deft_image_free(&image) }
        guard status == 0, let pixels = image.pixels else {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw DeFTError(source, message.isEmpty ? "cannot decode the image" : message)
        }
        let count = Int(image.width) * Int(image.height) * 3
        return RGBImage(width: Int(image.width), height: Int(image.height),
                        pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// PNG bytes of an image (tests, and writing bundles).
    public static func encodePNG(_ image: RGBImage) throws -> [UInt8] {
        try encode(image) { deft_png_encode($0, Int32(image.width), Int32(image.height), $1, $2, $3) }
    }

    /// PNG bytes with text chunks (keyword, text): tEXt for ASCII text, iTXt otherwise. Keywords are
    /// 1–79 printable ASCII characters (PNG spec); a NUL would cut a C string, so it is refused.
    public static func encodePNG(_ image: RGBImage, text: [(keyword: String, text: String)]) throws -> [UInt8] {
        for (k, t) in text {
            guard (1...79).contains(k.utf8.count), k.utf8.allSatisfy({ (0x20...0x7E).contains($0) }), !t.utf8.contains(0) else {
                throw DeFTError("encoder", "PNG text keyword '\(k)' must be 1–79 printable ASCII characters with a text free of NUL")
            }
        }
        let keys = text.map { strdup($0.keyword) }, texts = text.map { strdup($0.text) }
        defer { (keys + texts).forEach { free($0) } }
        let keyPointers = keys.map { UnsafePointer($0) }, textPointers = texts.map { UnsafePointer($0) }
        return try keyPointers.withUnsafeBufferPointer { kp in
            try textPointers.withUnsafeBufferPointer { tp in
                try encode(image) { deft_png_encode_text($0, Int32(image.width), Int32(image.height), kp.baseAddress, tp.baseAddress,
                                                         Int32(text.count), $1, $2, $3) }
            }
        }
    }

    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws -> [UInt8] {
        try encode(image) { deft_jpeg_encode($0, Int32(image.width), Int32(image.height), Int32(quality), $1, $2, $3) }
    }

    private static func encode(_ image: RGBImage,
                               _ body: (UnsafePointer<UInt8>?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                                        UnsafeMutablePointer<Int>?, UnsafeMutablePointer<CChar>?) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = image.pixels.withUnsafeBufferPointer { body($0.baseAddress, &out, &size, &message) }
        guard status == 0, let out else {
            throw DeFTError("encoder", String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { deft_buffer_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
