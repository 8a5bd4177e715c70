import DeFT
import Foundation

/// Video as a list of frames: a folder of images (sorted by name), or any file `ffmpeg` decodes.
public enum VideoFrames {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "pgm"]
    public static let videoExtensions: Set<String> = ["mp4", "mov", "mkv", "avi", "webm", "gif", "m4v"]

    /// The frames of a folder, `count` of them evenly spaced (all when nil).
    public static func loadFolder(_ path: String, count: Int? = nil) throws -> [RGBImage] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw DeFTError(path, "cannot list the folder")
        }
        let frames = names.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !frames.isEmpty else { throw DeFTError(path, "no PNG, JPEG or PPM frames in the folder") }
        let picked = evenlySpaced(frames.count, count).map { frames[$0] }
        let images = try picked.map { try ImageDecoder.load(path: (path as NSString).appendingPathComponent($0)) }
        try checkSameSize(images, names: picked, folder: path)
        return images
    }

    /// Decodes a video file through `ffmpeg` (scaled so the long side is at most `maxSide`).
    public static func loadFile(_ path: String, count: Int? = nil, maxSide: Int = 336) throws -> [RGBImage] {
        guard FileManager.default.fileExists(atPath: path) else { throw DeFTError(path, "no such file") }
        guard let ffmpeg = findOnPath("ffmpeg") else {
            throw DeFTError(path, "decoding video files needs ffmpeg on PATH (apt-get install ffmpeg), or give a folder of frames")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-nostdin", "-i", path, "-vf",
                       "scale='min(\(maxSide),iw)':'min(\(maxSide),ih)':force_original_aspect_ratio=decrease",
                       "-f", "image2pipe", "-vcodec", "ppm", "-"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { throw DeFTError(path, "cannot start ffmpeg: \(error.localizedDescription)") }
        let data = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let first = errText.split(separator: "\n").first.map(String.init) ?? "exit \(p.terminationStatus)"
            throw DeFTError(path, "ffmpeg could not decode it: \(first)")
        }
        var frames: [RGBImage] = []
        var offset = 0
        while offset < data.count {
            let (image, next) = try nextPPM(data, at: offset, source: path)
            frames.append(image); offset = next
        }
        guard !frames.isEmpty else { throw DeFTError(path, "ffmpeg found no frames") }
        return evenlySpaced(frames.count, count).map { frames[$0] }
    }

    /// `count` indices spread evenly over `0..<total`, first and last included.
    public static func evenlySpaced(_ total: Int, _ count: Int?) -> [Int] {
        guard let count, count > 0, count < total else { return Array(0..<total) }
        if count == 1 { return [0] }
        return (0..<count).map { Int((Double($0) * Double(total - 1) / Double(count - 1)).rounded()) }
    }

    static func checkSameSize(_ images: [RGBImage], names: [String], folder: String) throws {
        guard let first = images.first else { return }
        for (img, name) in zip(images, names) where img.width != first.width || img.height != first.height {
            throw DeFTError(folder, "frames differ in size: \(names[0]) is \(first.width)x\(first.height), \(name) is \(img.width)x\(img.height)")
        }
    }

    private static func nextPPM(_ d: [UInt8], at start: Int, source: String) throws -> (RGBImage, Int) {
        // Header: "P6\n<w> <h>\n255\n" (ffmpeg writes no comments).
        var i = start + 2, fields: [Int] = []
        while fields.count < 3 && i < d.count {
            while i < d.count, d[i] == 0x20 || d[i] == 0x0A { i += 1 }
            var v = 0
            while i < d.count, d[i] >= 0x30, d[i] <= 0x39 { v = v * 10 + Int(d[i] - 0x30); i += 1 }
            fields.append(v)
        }
        i += 1
        guard fields.count == 3, fields[0] > 0, fields[1] > 0, i + fields[0] * fields[1] * 3 <= d.count else {
            throw DeFTError(source, "ffmpeg's frame stream ended mid-frame")
        }
        let end = i + fields[0] * fields[1] * 3
        return (RGBImage(width: fields[0], height: fields[1], pixels: Array(d[i..<end])), end)
    }

    static func findOnPath(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
