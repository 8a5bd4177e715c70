import DeFT
import Foundation

/// MNIST's IDX files: big-endian magic (0x0803 images, 0x0801 labels), counts, then uint8 data
/// (Fashion-MNIST uses the same format, gzipped: `load(imagesFile:labelsFile:)` reads both).
public struct LabelledDigits: Sendable {
    public let images: [RGBImage]   // 28×28 grey as RGB
    public let labels: [Int]

    /// True when `folder` holds the two IDX files `load(folder:)` reads.
    public static func isFolder(_ folder: String) -> Bool {
        ["images-idx3-ubyte", "labels-idx1-ubyte"].allSatisfy {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
        }
    }

    /// Reads `images-idx3-ubyte` and `labels-idx1-ubyte` from a folder.
    public static func load(folder: String) throws -> LabelledDigits {
        let imagesPath = (folder as NSString).appendingPathComponent("images-idx3-ubyte")
        let labelsPath = (folder as NSString).appendingPathComponent("labels-idx1-ubyte")
        guard let img = FileManager.default.contents(atPath: imagesPath) else {
            throw DeFTError(imagesPath, "cannot read the IDX image file")
        }
        guard let lab = FileManager.default.contents(atPath: labelsPath) else {
            throw DeFTError(labelsPath, "cannot read the IDX label file")
        }
        return try LabelledDigits(images: img, labels: lab, imagesPath: imagesPath, labelsPath: labelsPath)
    }

    /// An IDX image file and its label file, each plain or gzipped.
    public static func load(imagesFile: String, labelsFile: String) throws -> LabelledDigits {
        guard FileManager.default.fileExists(atPath: imagesFile) else { throw DeFTError(imagesFile, "no such IDX image file") }
        guard FileManager.default.fileExists(atPath: labelsFile) else { throw DeFTError(labelsFile, "no such IDX label file") }
        return try LabelledDigits(images: Gzip.contents(ofFile: imagesFile), labels: Gzip.contents(ofFile: labelsFile),
                                  imagesPath: imagesFile, labelsPath: labelsFile)
    }

    public init(images img: Data, labels lab: Data, imagesPath: String = "images", labelsPath: String = "labels") throws {
        let ib = [UInt8](img), lb = [UInt8](lab)
        func be32(_ b: [UInt8], _ o: Int) -> Int {
            Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
        }
        guard ib.count >= 16, be32(ib, 0) == 0x0803 else { throw DeFTError(imagesPath, "not an IDX image file (magic 0x00000803)") }
        guard lb.count >= 8, be32(lb, 0) == 0x0801 else { throw DeFTError(labelsPath, "not an IDX label file (magic 0x00000801)") }
        let n = be32(ib, 4), rows = be32(ib, 8), cols = be32(ib, 12)
        guard rows > 0, cols > 0, rows <= 4096, cols <= 4096 else { throw DeFTError(imagesPath, "image size \(rows)×\(cols) is not plausible") }
        guard ib.count - 16 == n * rows * cols else {
            throw DeFTError(imagesPath, "holds \(ib.count - 16) pixel bytes, the header promises \(n)×\(rows)×\(cols)")
        }
        guard be32(lb, 4) == n, lb.count - 8 == n else {
            throw DeFTError(labelsPath, "has \(lb.count - 8) labels (header \(be32(lb, 4))) for \(n) images")
        }
        labels = lb[8...].map(Int.init)
        if let bad = labels.first(where: { $0 > 9 }) { throw DeFTError(labelsPath, "label \(bad) is not a digit") }
        images = (0..<n).map { i in
            let grey = ib[(16 + i * rows * cols)..<(16 + (i + 1) * rows * cols)]
            return RGBImage(width: cols, height: rows, pixels: grey.flatMap { [$0, $0, $0] })
        }
    }

    /// The documented split: every fifth digit (index ≡ 4 mod 5) is held out for testing.
    public func split() -> (train: [Int], test: [Int]) {
        let all = Array(images.indices)
        return (all.filter { $0 % 5 != 4 }, all.filter { $0 % 5 == 4 })
    }

    /// Built-in patch features on a 7×7 grid (4×4-pixel patches): 49 tokens of width 33.
    public static let grid = GridSize(height: 7, width: 7)

    public func tokens(_ index: Int) -> Matrix {
        PatchFeatures.encode(images[index], gridHeight: Self.grid.height, gridWidth: Self.grid.width)
    }
}
