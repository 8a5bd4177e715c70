import Foundation

/// `FOLDER:I`, the name of item I of a bundle of several inputs (`items` in its manifest): how the
/// viewer steps through them, and how a user opens one directly.
public enum BundleItems {
    /// The folder and item of `FOLDER:I` when FOLDER is a bundle (nil: not such a name).
    public static func parse(_ path: String) -> (folder: String, item: Int)? {
        guard let colon = path.lastIndex(of: ":"), let i = Int(path[path.index(after: colon)...]), i >= 0 else { return nil }
        let folder = String(path[..<colon])
        guard BundlePath.entryExists((folder as NSString).appendingPathComponent(BundleManifest.fileName)) else { return nil }
        return (folder, i)
    }

    /// Every item of the bundle at `folder` as `FOLDER:I`, or nil when it is not a bundle of several.
    public static func names(_ folder: String) -> [String]? {
        guard BundlePath.entryExists((folder as NSString).appendingPathComponent(BundleManifest.fileName)),
              let items = (try? BundleManifest.load(folder: folder))?.items else { return nil }
        return items.indices.map { "\(folder):\($0)" }
    }
}
