import DeFT
import Foundation

/// Video as a list of frames: a folder of images (sorted by name), or any file `ffmpeg` decodes.
public enum VideoFrames {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "pgm"]
    public static let videoExtensions: Set<String> = ["mp4", "mov", "mkv", "avi", "webm", "gif", "m4v"]

    /// The frames of a folder, `count` of them evenly spaced (all when nil).
    public static func loadFolder(_ path: String, count: Int? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> [RGBImage] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw DeFTError(path, "cannot list the folder")
        }
        let frames = names.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !frames.isEmpty else { throw DeFTError(path, "no PNG, JPEG or PPM frames in the folder") }
        let picked = evenlySpaced(frames.count, count).map { frames[$0] }
        var images: [RGBImage] = []
        for name in picked {
            images.append(try ImageDecoder.load(path: (path as NSString).appendingPathComponent(name)))
            progress?(images.count, picked.count)
        }
        try checkSameSize(images, names: picked, folder: path)
        return images
    }

    /// The frames of a video file, `count` of them evenly spaced (all when nil), scaled so the long side
    /// is at most `maxSide`. Only those frames are kept: ffprobe counts the frames, ffmpeg's `select`
    /// filter passes on just the chosen ones (scaled after the choice), and they are read from the pipe
    /// one at a time, so memory is the kept frames whatever the video's length. `progress` hears
    /// (frames read, frames wanted) after each one.
    public static func loadFile(_ path: String, count: Int? = nil, maxSide: Int = 336,
                                progress: ((Int, Int) -> Void)? = nil) throws -> [RGBImage] {
        guard FileManager.default.fileExists(atPath: path) else { throw DeFTError(path, "no such file") }
        guard let ffmpeg = findOnPath("ffmpeg"), let ffprobe = findOnPath("ffprobe") else {
            throw DeFTError(path, "decoding video files needs ffmpeg and ffprobe on PATH (apt-get install ffmpeg), or give a folder of frames")
        }
        let total = try frameCount(path, ffprobe: ffprobe)
        let picked = evenlySpaced(total, count)
        let select = picked.count == total ? "" : "select='" + picked.map { "eq(n\\,\($0))" }.joined(separator: "+") + "',"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-nostdin", "-i", path, "-an", "-sn", "-vf",
                       select + "scale='min(\(maxSide),iw)':'min(\(maxSide),ih)':force_original_aspect_ratio=decrease",
                       "-fps_mode", "passthrough", "-f", "image2pipe", "-vcodec", "ppm", "-"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { throw DeFTError(path, "cannot start ffmpeg: \(error.localizedDescription)") }
        // ffmpeg's messages are drained as they come, so a chatty decoder cannot block on a full pipe.
        // Through the throwing read: FileHandle's `availableData` traps on a read error.
        let errText = ErrorText()
        let errDone = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async {
            if let d = try? errHandle.readToEnd() { errText.append(d) }
            errDone.signal()
        }
        var frames: [RGBImage] = []
        let reader = PPMStream(out.fileHandleForReading)
        var failure: Error? = nil
        do {
            while let image = try reader.next(source: path) {
                frames.append(image)
                progress?(frames.count, picked.count)
            }
        } catch { failure = error }
        if failure != nil { p.terminate() }
        p.waitUntilExit()
        errDone.wait()
        guard p.terminationStatus == 0 || failure != nil else {
            let first = errText.text.split(separator: "\n").first.map(String.init) ?? "exit \(p.terminationStatus)"
            throw DeFTError(path, "ffmpeg could not decode it: \(first)")
        }
        if let failure { throw failure }
        guard !frames.isEmpty else { throw DeFTError(path, "ffmpeg found no frames") }
        return frames
    }

    /// The number of frames in a video file's first video stream (its packets: every container has them,
    /// unlike a frame count in the header).
    public static func frameCount(_ path: String, ffprobe: String? = nil) throws -> Int {
        guard let tool = ffprobe ?? findOnPath("ffprobe") else { throw DeFTError(path, "counting video frames needs ffprobe on PATH (apt-get install ffmpeg)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets",
                       "-of", "csv=p=0", path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { throw DeFTError(path, "cannot start ffprobe: \(error.localizedDescription)") }
        let text = String(decoding: (try? out.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        let errText = String(decoding: (try? err.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").first ?? ""), n > 0 else {
            let why = errText.split(separator: "\n").first.map(String.init) ?? "no video stream"
            throw DeFTError(path, "ffprobe could not count its frames: \(why)")
        }
        return n
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

    public static func findOnPath(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// ffmpeg's PPM frames read off a pipe one at a time: only the current frame is in memory.
final class PPMStream {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var offset = 0

    init(_ handle: FileHandle) { self.handle = handle }

    /// At least `n` unread bytes buffered; false at the end of the stream.
    func fill(_ n: Int) -> Bool {
        while buffer.count - offset < n {
            // The throwing read: `availableData` traps on a read error; an error ends the stream here.
            guard let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty else { return false }
            if offset > 0 { buffer.removeFirst(offset); offset = 0 }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    /// The next frame, or nil at a clean end of the stream.
    func next(source: String) throws -> RGBImage? {
        guard fill(1) else { return nil }
        // Header: "P6\n<w> <h>\n255\n" (ffmpeg writes no comments); 32 bytes hold any header.
        _ = fill(32)
        var i = offset + 2, fields: [Int] = []
        while fields.count < 3 && i < buffer.count {
            while i < buffer.count, buffer[i] == 0x20 || buffer[i] == 0x0A { i += 1 }
            var v = 0
            while i < buffer.count, buffer[i] >= 0x30, buffer[i] <= 0x39, v < 1 << 20 { v = v * 10 + Int(buffer[i] - 0x30); i += 1 }
            fields.append(v)
        }
        i += 1
        guard buffer.count - offset >= 2, buffer[offset] == 0x50, buffer[offset + 1] == 0x36, fields.count == 3,
              fields[0] > 0, fields[1] > 0, fields[0] <= 1 << 14, fields[1] <= 1 << 14 else {
            throw DeFTError(source, "ffmpeg's frame stream is not PPM")
        }
        let size = fields[0] * fields[1] * 3, start = i - offset
        guard fill(start + size) else { throw DeFTError(source, "ffmpeg's frame stream ended mid-frame") }
        let from = offset + start
        let image = RGBImage(width: fields[0], height: fields[1], pixels: Array(buffer[from..<(from + size)]))
        offset = from + size
        return image
    }
}

/// Text collected from a pipe's handler thread.
final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.lock(); if data.count < 1 << 16 { data.append(d) }; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
