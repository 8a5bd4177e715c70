import DeFT
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A path a bundle manifest names, checked to stay inside the bundle folder.
///
/// A bundle is often someone else's download: its manifest must not make deft read files elsewhere
/// (`../../.ssh/id_rsa` as "features", a symlink to /etc). So a path must be relative, without `..`,
/// and what it names — every symlink resolved — must lie inside the folder, itself resolved.
public enum BundlePath {
    /// The resolved (real) path of `relative` inside `folder`; `manifest` names the file in errors.
    public static func resolve(_ relative: String, folder: String, manifest: String) throws -> String {
        guard !relative.hasPrefix("/") else {
            throw DeFTError(manifest, "'\(relative)' is an absolute path; a bundle's paths are relative to its folder")
        }
        guard !relative.split(separator: "/").contains("..") else {
            throw DeFTError(manifest, "'\(relative)' leaves the bundle folder ('..' is not allowed)")
        }
        return try inside((folder as NSString).appendingPathComponent(relative), folder: folder, manifest: manifest, what: "'\(relative)'")
    }

    /// The real path of `path`, which must lie inside `folder` once both are resolved.
    public static func inside(_ path: String, folder: String, manifest: String, what: String) throws -> String {
        let root = try real(folder, manifest: manifest, what: "the bundle folder")
        let target = try real(path, manifest: manifest, what: what)
        guard target == root || target.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw DeFTError(manifest, "\(what) resolves to \(target), outside the bundle folder (symlinks must stay inside it)")
        }
        return target
    }

    /// Whether anything — even a dangling or looping symlink — is at `path` (FileManager follows links).
    public static func entryExists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// `path` with every symlink resolved, or an error saying why it cannot be.
    static func real(_ path: String, manifest: String, what: String) throws -> String {
        guard let r = realpath(path, nil) else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw DeFTError(manifest, "\(what) does not exist in the bundle")
            case ELOOP: throw DeFTError(manifest, "\(what) is a symlink loop")
            default: throw DeFTError(manifest, "\(what) cannot be resolved: \(String(cString: strerror(code)))")
            }
        }
        defer { free(r) }
        return String(cString: r)
    }
}
