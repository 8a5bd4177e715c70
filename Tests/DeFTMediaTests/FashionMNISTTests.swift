import DeFT
@testable import DeFTMedia
import Foundation
import Testing

@Suite struct GzipIDXTests {
    /// gzip of an IDX image file holding two 2×2 images of grey 200 (Python's gzip.compress, mtime 0).
    static let gzipped = Data([31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 99, 96, 224, 96, 102, 96, 96, 96, 130, 225, 19, 80, 0, 0,
                               177, 199, 188, 51, 24, 0, 0, 0])

    static func temporary(_ name: String, _ data: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    @Test func inflatesAGzippedIDXFileAndReadsIt() throws {
        let raw = try Gzip.inflate(Self.gzipped, source: "x.gz")
        #expect(raw.count == 24 && raw.suffix(8).allSatisfy { $0 == 200 })
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 2, 3, 7])
        let d = try LabelledDigits.load(imagesFile: Self.temporary("i.gz", Self.gzipped), labelsFile: Self.temporary("l", labels))
        #expect(d.images.count == 2 && d.images[1].rgb(x: 1, y: 1) == (200, 200, 200) && d.labels == [3, 7])
    }

    @Test(arguments: [("truncated", "truncated gzip data"), ("corrupt", "corrupt gzip data")])
    func brokenStreamsAreOneLineErrors(_ kind: String, _ message: String) {
        var data = Self.gzipped
        if kind == "truncated" { data = data.prefix(20) } else { data[12] ^= 0xFF; data[13] ^= 0x5A }
        #expect {
            _ = try Gzip.inflate(data, source: "f.gz")
        } throws: { e in ("\(e)".contains("f.gz") && "\(e)".contains(message)) }
    }

    @Test func missingFilesAndFolderSayWhichAndWhy() {
        #expect { _ = try LabelledDigits.load(imagesFile: "/nonexistent/i.gz", labelsFile: "/nonexistent/l.gz") }
            throws: { "\($0)".contains("/nonexistent/i.gz") && "\($0)".contains("no such IDX image file") }
        #expect { _ = try FashionMNIST.load(.test, folder: "/nonexistent/fashion") }
            throws: { "\($0)".contains("dataset-fashion-mnist") }
    }

    /// Debian's dataset-fashion-mnist, when installed (CI installs it).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultFolder)))
    func theInstalledTestSplitLoads() throws {
        let d = try FashionMNIST.load(.test)
        #expect(d.images.count == 10_000 && d.images[0].width == 28 && d.images[0].height == 28)
        // The test split is balanced: 1000 of each class.
        #expect((0..<10).allSatisfy { c in d.labels.filter { $0 == c }.count == 1000 })
    }
}
