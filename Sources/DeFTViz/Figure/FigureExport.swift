import DeFT
import Foundation

/// The file side of figures: the format from the path's extension, the figure and its sidecar
/// written, every failure a one-line error naming the file.
public enum FigureExport {
    public enum Format: String, Sendable { case png, svg }

    public static func format(of path: String) throws -> Format {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let f = Format(rawValue: ext) else {
            throw DeFTError(path, ext.isEmpty ? "no file extension: name the figure .png or .svg"
                                              : "unknown figure type '.\(ext)': use .png or .svg")
        }
        return f
    }

    /// fig.png → fig.json (a path without a directory stays in the current one).
    public static func sidecarPath(_ path: String) -> String {
        ((path as NSString).deletingPathExtension as NSString).appendingPathExtension("json") ?? path + ".json"
    }

    /// Writes the figure and its sidecar; returns the sidecar's path.
    @discardableResult
    public static func write(_ model: FigureModel, to path: String) throws -> String {
        let format = try format(of: path)
        if format == .png && model.layout.modality == .text {
            throw DeFTError(path, "a text sample has no pixels to put in a PNG; export it as .svg")
        }
        let bytes: [UInt8] = format == .png ? try PNGFigure.encode(model) : Array(try SVGFigure.encode(model).utf8)
        let sidecar = sidecarPath(path)
        try writeFile(path, bytes)
        try writeFile(sidecar, [UInt8](try FigureSidecar(model).encoded()))
        return sidecar
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        guard let file = fopen(path, "wb") else { throw DeFTError(path, "cannot write: \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        let failed = written != bytes.count
        let err = errno
        if fclose(file) != 0 || failed {
            throw DeFTError(path, "cannot write: \(String(cString: strerror(failed ? err : errno)))")
        }
    }

    /// The viewer's export key: the current view beside the working directory as
    /// deft-<input>-keep<percent>.png (.svg for text). Returns the one-line note for the status.
    public static func exportView(_ state: AppState, input: String, directory: String = ".") -> String {
        guard let scored = state.scored else { return "nothing to export: the sample is not loaded" }
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        let safe = String(base.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" })
        let ext = scored.scores.layout.modality == .text ? "svg" : "png"
        let name = "deft-\(safe.isEmpty ? "figure" : safe)-keep\(String(format: "%.1f", state.ratio * 100))-\(state.mode.rawValue).\(ext)"
        let path = directory == "." ? name : (directory as NSString).appendingPathComponent(name)
        do {
            let sidecar = try write(FigureModel(scored: scored, state: state, input: input), to: path)
            return "wrote \(path) and \(sidecar)"
        } catch {
            return "export failed: \(error)"
        }
    }
}

extension FigureExport {
    /// `deft view INPUT --export PATH`: score the input as the viewer would start on it, then write.
    /// The extension is checked before any scoring, so a typo fails at once. Returns the sidecar's path.
    public static func export(input: String, name: String, settings: Viewer.Settings, options: FigureOptions,
                              to path: String) throws -> String {
        _ = try format(of: path)
        let state = Viewer.firstFrameState(paths: [input], names: [name], settings: settings, width: 0, height: 0,
                                           depth: .none, unicode: true)
        if case .failed(_, let message)? = state.samples.first { throw DeFTError("", message) }
        guard let scored = state.scored else { throw DeFTError(input, "could not be loaded") }
        return try write(FigureModel(scored: scored, state: state, input: input, options: options), to: path)
    }

    /// "0.75,0.482,0.25" → ratios in (0, 1], at most 12 panels.
    public static func ratios(_ list: String) throws -> [Double] {
        let parts = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = try parts.map { p -> Double in
            guard let v = Double(p), v > 0, v <= 1 else { throw DeFTError("--ratios", "each ratio must be a number in (0, 1], got '\(p)'") }
            return v
        }
        guard (1...12).contains(values.count) else { throw DeFTError("--ratios", "give 1 to 12 ratios, got \(values.count)") }
        return values
    }
}
