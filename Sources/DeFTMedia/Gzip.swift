import CGzip
import DeFT
import Foundation

/// gzip (and zlib) streams through the system's zlib: datasets such as Debian's Fashion-MNIST ship
/// their IDX files gzipped.
public enum Gzip {
    /// The first two bytes of every gzip member.
    public static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes; `source` names the file in the error. A truncated or corrupt stream is an
    /// error, never a partial result. `limit` bounds the output (a small file may claim gigabytes).
    public static func inflate(_ data: Data, source: String, limit: Int = 1 << 31) throws -> Data {
        var stream = z_stream()
        // 15 + 32: a window of 32 KiB, and zlib detects the gzip or zlib header itself.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DeFTError(source, "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { buf in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = uInt(buf.count)
                    status = CGzip.inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let why = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                        throw DeFTError(source, "corrupt gzip data (\(why))")
                    }
                    out.append(buf.baseAddress!, count: buf.count - Int(stream.avail_out))
                }
                guard out.count <= limit else { throw DeFTError(source, "decompresses to more than \(limit) bytes") }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out > 0 {
                    throw DeFTError(source, "truncated gzip data (the stream ends before its end marker)")
                }
            } while status != Z_STREAM_END
        }
        return out
    }

    /// A file's bytes, decompressed when it is gzipped.
    public static func contents(ofFile path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeFTError(path, "cannot read the file") }
        return isCompressed(data) ? try inflate(data, source: path) : data
    }
}
