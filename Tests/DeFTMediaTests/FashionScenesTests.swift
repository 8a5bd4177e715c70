import DeFT
@testable import DeFTMedia
import Foundation
import Testing

@Suite struct FashionScenesTests {
    /// Twenty 28×28 items: a bright block of 255 on black, in a different place per item.
    static let items: LabelledDigits = {
        func be32(_ w: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((w >> $0) & 0xFF) } }
        var pixels: [UInt8] = []
        for i in 0..<20 {
            for y in 0..<28 { for x in 0..<28 { pixels.append(x >= 4 + i % 5 && x < 20 && y >= 6 && y < 22 + i % 4 ? 255 : 0) } }
        }
        let img = Data(be32(0x0803) + be32(20) + be32(28) + be32(28) + pixels)
        let lab = Data(be32(0x0801) + be32(20) + (0..<20).map { UInt8($0 % 10) })
        return try! LabelledDigits(images: img, labels: lab)
    }()

    @Test(arguments: FashionScenes.Task.allCases)
    func scenesAreAFunctionOfSplitIndexAndSeed(_ task: FashionScenes.Task) {
        let a = FashionScenes(task: task, items: Self.items, splitTag: 1), b = FashionScenes(task: task, items: Self.items, splitTag: 1)
        for i in [0, 7, 19] {
            #expect(a.scene(i).image == b.scene(i).image && a.scene(i).placement == b.scene(i).placement)
            #expect(a.scene(i).label == i % 10 && a.scene(i).image.width == 224 && a.scene(i).image.height == 224)
        }
        if task == .small {
            // Another split or seed, another scene.
            var p = FashionScenes.Parameters(); p.seed += 1
            #expect(a.scene(3).image != FashionScenes(task: task, items: Self.items, splitTag: 2).scene(3).image)
            #expect(a.scene(3).image != FashionScenes(task: task, items: Self.items, splitTag: 1, parameters: p).scene(3).image)
        }
    }

    @Test func theWholeItemFillsTheCanvas() {
        let s = FashionScenes(task: .whole, items: Self.items, splitTag: 0).scene(0)
        #expect(s.placement == .init(x: 0, y: 0, side: 224))
        // The item's block (x 4..<20, y 6..<22 of 28) scaled by 8, grey → RGB.
        #expect(s.image.rgb(x: 12 * 8, y: 14 * 8) == (255, 255, 255) && s.image.rgb(x: 8, y: 8) == (0, 0, 0))
    }

    /// Everything brighter than the faded collage can be lies inside the item's box, the box is a
    /// quarter of the side ± 25 %, and it touches at most 6×6 of the 16×16 patches (≈ 1/16 of the tokens
    /// on average: 4×4 for a 56-pixel item on the patch grid).
    @Test func theSmallItemIsWhereThePlacementSaysAndCoversAboutASixteenthOfTheTokens() {
        let g = FashionScenes(task: .small, items: Self.items, splitTag: 0)
        let p = g.parameters
        let backgroundMax = max(Double(p.backgroundLevel), p.backgroundContrast * 255)
        var patchCounts: [Int] = []
        for i in 0..<20 {
            let (image, box, _) = g.scene(i)
            #expect(box.side >= 42 && box.side <= 70 && box.x >= 0 && box.y >= 0 && box.x + box.side <= 224 && box.y + box.side <= 224)
            var brightInside = 0
            for y in 0..<224 {
                for x in 0..<224 where Double(image.rgb(x: x, y: y).0) > backgroundMax + 1 {
                    let inside = x >= box.x && x < box.x + box.side && y >= box.y && y < box.y + box.side
                    #expect(inside, "scene \(i): bright pixel at (\(x), \(y)) outside \(box)")
                    if inside { brightInside += 1 }
                }
            }
            #expect(brightInside > box.side * box.side / 5, "scene \(i): the item is missing")
            let cols = (box.x / 14)...((box.x + box.side - 1) / 14), rows = (box.y / 14)...((box.y + box.side - 1) / 14)
            patchCounts.append(cols.count * rows.count)
        }
        #expect(patchCounts.allSatisfy { $0 <= 36 })
        let mean = Double(patchCounts.reduce(0, +)) / Double(patchCounts.count)
        #expect(mean >= 9 && mean <= 30, "mean patches touched \(mean) of 256")
    }

    @Test func validationIsCarvedFromTrainingWithoutOverlap() {
        let s = TaskSplits(train: 5000, test: 10_000)
        #expect(s.train == 0..<5000 && s.validation == 59_000..<60_000 && s.test == 0..<10_000)
        let quick = TaskSplits(train: 1000, test: 1000)
        #expect(quick.validation == 59_800..<60_000 && quick.train.upperBound <= quick.validation.lowerBound)
    }
}
