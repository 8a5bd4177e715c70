import DeFT
import Foundation

/// Zalando's Fashion-MNIST (MIT): 60 000 training and 10 000 test images of clothing, 28×28 grey, ten
/// classes, as Debian's `dataset-fashion-mnist` package installs it (gzipped IDX files).
public enum FashionMNIST {
    public static let defaultFolder = "/usr/share/datasets/fashion-mnist"
    public static let classNames = ["T-shirt/top", "trouser", "pullover", "dress", "coat",
                                    "sandal", "shirt", "sneaker", "bag", "ankle boot"]

    public enum Split: String, Sendable, CaseIterable { case train, test }

    /// The split's images and labels; a missing folder names the package that provides it.
    public static func load(_ split: Split, folder: String = defaultFolder) throws -> LabelledDigits {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw DeFTError(folder, "no Fashion-MNIST folder (install Debian's dataset-fashion-mnist package)")
        }
        let stem = split == .train ? "train" : "t10k"
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        return try LabelledDigits.load(imagesFile: path("\(stem)-images-idx3-ubyte.gz"), labelsFile: path("\(stem)-labels-idx1-ubyte.gz"))
    }
}
