import DeFT
@testable import DeFTMedia
import Foundation
import Testing

@Suite struct IDXTests {
    func header(_ words: [Int]) -> [UInt8] { words.flatMap { w in [24, 16, 8, 0].map { UInt8((w >> $0) & 0xFF) } } }
    func images(_ n: Int, _ r: Int, _ c: Int, extra: Int = 0) -> Data {
        Data(header([0x0803, n, r, c]) + [UInt8](repeating: 200, count: n * r * c + extra))
    }
    func labels(_ l: [UInt8]) -> Data { Data(header([0x0801, l.count]) + l) }

    @Test func readsImagesAndLabelsAndSplitsEveryFifthForTesting() throws {
        let d = try LabelledDigits(images: images(10, 2, 3), labels: labels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
        #expect(d.images.count == 10 && d.images[0].width == 3 && d.images[0].height == 2)
        #expect(d.images[0].rgb(x: 2, y: 1) == (200, 200, 200))
        #expect(d.labels == Array(0...9))
        #expect(d.split().test == [4, 9] && d.split().train.count == 8)
    }

    @Test(arguments: [
        ("magic", "not an IDX image file"), ("short", "the header promises 2×2×2"),
        ("count", "has 1 labels (header 1) for 2 images"), ("label", "label 12 is not a digit"),
    ])
    func malformedFilesSayWhatIsWrong(_ kind: String, _ message: String) {
        let img: Data, lab: Data
        switch kind {
        case "magic": img = Data(header([0x0801, 2, 2, 2]) + [UInt8](repeating: 0, count: 8)); lab = labels([1, 2])
        case "short": img = images(2, 2, 2, extra: -1); lab = labels([1, 2])
        case "count": img = images(2, 2, 2); lab = labels([1])
        default: img = images(2, 2, 2); lab = labels([1, 12])
        }
        #expect {
            _ = try LabelledDigits(images: img, labels: lab, imagesPath: "i", labelsPath: "l")
        } throws: { ($0 as? DeFTError).map { "\($0)".contains(message) } ?? false }
    }

    @Test func theBundledDigitsLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let d = try LabelledDigits.load(folder: root.appendingPathComponent("Samples/digits").path)
        #expect(d.images.count == 5000 && Set(d.labels) == Set(0...9))
        #expect(d.tokens(0).rows == 49 && d.tokens(0).cols == PatchFeatures.width)
    }
}
