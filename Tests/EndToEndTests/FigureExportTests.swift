import Foundation
import Testing

/// `deft view … --export`: the figure and its sidecar from the real binary, and its one-line errors.
@Suite struct FigureExportTests {
    struct Sidecar: Decodable {
        struct Panel: Decodable { let k: Int; let kept: [Int]; let pruned: [Int]; let ratio: Double }
        let panels: [Panel]
        let tokens: Int
        let input: String
    }

    @Test func astronautExportsAPNGAndItsSidecar() throws {
        let png = DeftBinary.temporaryPath("fig.png")
        let json = String(png.dropLast(4)) + ".json"
        let r = try DeftBinary.run(["view", "Samples/astronaut", "--export", png])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote \(png) and \(json)\n")
        let bytes = try #require(FileManager.default.contents(atPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let side = try JSONDecoder().decode(Sidecar.self, from: try #require(FileManager.default.contents(atPath: json)))
        #expect(side.tokens == 576 && side.panels.count == 1 && side.input == "Samples/astronaut")
        #expect(side.panels[0].k == 277 && side.panels[0].kept.count == 277 && side.panels[0].pruned.count == 299)
        #expect(Set(side.panels[0].kept).union(side.panels[0].pruned) == Set(0..<576))
    }

    @Test func ratiosGiveOnePanelEach() throws {
        let svg = DeftBinary.temporaryPath("row.svg")
        let r = try DeftBinary.run(["view", "Samples/astronaut", "--export", svg, "--ratios", "0.75,0.482,0.25", "--grid-lines"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        for label in ["keep 75.0 % = 432 of 576", "keep 48.2 % = 277 of 576", "keep 25.0 % = 144 of 576"] { #expect(text.contains(label)) }
        let side = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: String(svg.dropLast(4)) + ".json")))
        #expect(side.panels.map(\.k) == [432, 277, 144])
    }

    @Test(arguments: [
        (["Samples/astronaut", "--export", "fig.jpg"], "fig.jpg: unknown figure type '.jpg': use .png or .svg"),
        (["Samples/gettysburg-address", "--export", "/tmp/deft-text-figure.png"], "a text sample has no pixels to put in a PNG; export it as .svg"),
        (["Samples/astronaut", "--export", "/nonexistent-dir/fig.png"], "/nonexistent-dir/fig.png: cannot write: No such file or directory"),
        (["Samples/astronaut", "--export", "x.png", "--ratios", "0.5,2"], "--ratios: each ratio must be a number in (0, 1], got '2'"),
        (["Samples/astronaut", "--ratios", "0.5"], "--ratios: only applies with --export PATH"),
        (["Samples/astronaut", "--export", "x.png", "--record", "x.cast"], "--record: records the interactive viewer; it does not apply with --snapshot or --export"),
    ])
    func badExportsFailWithOneLine(_ args: [String], _ message: String) throws {
        let r = try DeftBinary.run(["view"] + args)
        #expect(r.status == 2)
        #expect(r.stderr == "deft: \(message)\n" || r.stderr.hasSuffix(message + "\n"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
