import DeFT
import DeFTEval
import DeFTMedia
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DeFTViz

/// Exported figures read back: the PNG decoded and its patches compared with the source, its text
/// chunks parsed, the SVG parsed as XML, the sidecar decoded and compared with the engine.
@Suite struct FigureTests {
    static func state(_ s: ScoredSample, ratio: Double = 0.5, mode: InferenceMode = .fast, overlay: Bool = false,
                      baseline: Method? = nil) -> AppState {
        var st = Fixtures.state([s])
        st.ratio = ratio; st.mode = mode; st.overlay = overlay; st.baseline = baseline
        return st
    }

    static func model(_ s: ScoredSample = Fixtures.image, ratio: Double = 0.5, mode: InferenceMode = .fast, overlay: Bool = false,
                      baseline: Method? = nil, options: FigureOptions = .init()) -> FigureModel {
        FigureModel(scored: s, state: state(s, ratio: ratio, mode: mode, overlay: overlay, baseline: baseline), input: "synthetic.png",
                    options: options)
    }

    /// Chunks of a PNG file: (type, data).
    static func chunks(_ png: [UInt8]) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = [], i = 8
        while i + 8 <= png.count {
            let n = png[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
            out.append((String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self), Array(png[(i + 8)..<min(i + 8 + n, png.count)])))
            i += 12 + n
        }
        return out
    }

    /// The decoded figure's pixels of one patch (figure coordinates) with the source pixel under each.
    static func patchPixels(_ fig: RGBImage, _ source: RGBImage, _ geo: FigureGeometry, panel: Int, token: Int, grid: (Int, Int))
        -> [(x: Int, y: Int, got: RGB, source: RGB)] {
        let o = geo.frameOrigin(panel: panel, frame: 0)
        let (r, c) = (token / grid.1, token % grid.1)
        var out: [(Int, Int, RGB, RGB)] = []
        for y in 0..<geo.frameHeight where (y / geo.scale) * grid.0 / source.height == r {
            for x in 0..<geo.frameWidth where (x / geo.scale) * grid.1 / source.width == c {
                let (a, b, d) = fig.rgb(x: o.x + x, y: o.y + y), (e, f, g) = source.rgb(x: x / geo.scale, y: y / geo.scale)
                out.append((x, y, RGB(a, b, d), RGB(e, f, g)))
            }
        }
        return out
    }

    static func geometry(_ m: FigureModel) -> FigureGeometry {
        let f = m.frames[0]
        return FigureGeometry(sourceWidth: f.width, sourceHeight: f.height, frames: m.frames.count, panels: m.panels.count,
                              columns: m.columns, showsBar: m.showsColourBar, withText: false)
    }

    @Test func pngKeepsKeptPatchesAndDimsAndHatchesPrunedOnes() throws {
        let m = Self.model()
        let png = try PNGFigure.encode(m)
        let fig = try ImageDecoder.decode(png, source: "figure")
        let geo = Self.geometry(m)
        #expect(fig.width == geo.width && fig.height == geo.height)
        guard case .image(let source)? = Fixtures.image.sample.media else { Issue.record("no image"); return }
        #expect(geo.frameWidth == source.width * geo.scale)
        let sel = Fixtures.image.scores.selection(ratio: 0.5, mode: .fast)
        for t in sel.kept {
            for p in Self.patchPixels(fig, source, geo, panel: 0, token: t, grid: (6, 6)) { #expect(p.got == p.source, "kept token \(t) at \(p.x),\(p.y)") }
        }
        let period = FigureRaster.hatchPeriod(patchPixels: geo.frameWidth / 6)
        for t in sel.pruned {
            let pixels = Self.patchPixels(fig, source, geo, panel: 0, token: t, grid: (6, 6))
            var hatch = 0
            for p in pixels {
                if FigureRaster.isHatch(x: p.x, y: p.y, period: period) {
                    hatch += 1
                    #expect(p.got == FigureRaster.hatched(p.source.pruned))
                } else {
                    #expect(p.got == p.source.pruned)
                    #expect(p.got.luminance <= p.source.luminance * 0.45 + 0.01, "pruned token \(t) is not dimmed")
                }
            }
            #expect(hatch > pixels.count / (period + 1) && hatch < pixels.count / 2, "hatching covers \(hatch) of \(pixels.count)")
        }
    }

    @Test func pngTextChunksHoldTheCaption() throws {
        let m = Self.model(overlay: true)
        let text = Self.chunks(try PNGFigure.encode(m)).filter { $0.0 == "tEXt" }.map { chunk -> (String, String) in
            let nul = chunk.1.firstIndex(of: 0)!
            return (String(decoding: chunk.1[..<nul], as: UTF8.self), String(decoding: chunk.1[(nul + 1)...], as: UTF8.self))
        }
        let description = try #require(text.first { $0.0 == "Description" }?.1)
        #expect(description == m.caption.joined(separator: "\n"))
        #expect(description.contains("keep 50.0 % = 18 of 36"))
        #expect(description.contains("colour: combined score s, viridis from \(FigureModel.number(m.values.low))"))
        #expect(text.contains { $0 == ("Title", "synthetic image") })
    }

    @Test func nonASCIICaptionsGoToITXt() throws {
        let s = Fixtures.image
        let named = ScoredSample(sample: LoadedSample(name: "Café ☕", media: s.sample.media, tokenSet: s.sample.tokenSet),
                                 scores: s.scores, semantic: s.semantic, weights: s.weights, feedbackSource: s.feedbackSource)
        let chunks = Self.chunks(try PNGFigure.encode(Self.model(named)))
        let itxt = chunks.filter { $0.0 == "iTXt" }.map { String(decoding: $0.1, as: UTF8.self) }
        #expect(itxt.contains { $0.hasPrefix("Title") && $0.hasSuffix("Café ☕") })
        #expect(chunks.contains { $0.0 == "tEXt" && String(decoding: $0.1, as: UTF8.self).hasPrefix("Software") })
    }

    /// Counts `class="token …"` elements per panel and collects text.
    final class SVGReader: NSObject, XMLParserDelegate {
        var panels: [[String: Int]] = []
        var panelAttributes: [[String: String]] = []
        var texts: [String] = []
        var strikes = 0
        private var inText = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let cls = attributes["class"] ?? ""
            if cls == "panel" { panels.append([:]); panelAttributes.append(attributes) }
            if cls.hasPrefix("token ") { panels[panels.count - 1][String(cls.dropFirst(6)), default: 0] += 1 }
            if attributes["text-decoration"] == "line-through" { strikes += 1 }
            if name == "text" || name == "title" || name == "desc" { inText = true; texts.append("") }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { inText = false }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { texts[texts.count - 1] += string } }
    }

    static func parse(_ svg: String) throws -> SVGReader {
        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        #expect(parser.parse(), "SVG does not parse: \(String(describing: parser.parserError))")
        return reader
    }

    @Test func svgHasOneElementPerTokenAndTheTitles() throws {
        let m = Self.model(ratio: 0.5, options: FigureOptions(gridLines: true))
        let svg = try Self.parse(try SVGFigure.encode(m))
        #expect(svg.panels.count == 1)
        #expect(svg.panels[0]["kept"] == 18 && svg.panels[0]["pruned"] == 18)
        #expect(svg.texts.contains("keep 50.0 % = 18 of 36"))
        #expect(svg.texts.contains(m.caption[2]))
    }

    @Test func ratiosMakeARowOfPanels() throws {
        let m = Self.model(options: FigureOptions(ratios: [0.75, 0.482, 0.25]))
        #expect(m.panels.map(\.title) == ["keep 75.0 % = 27 of 36", "keep 48.2 % = 17 of 36", "keep 25.0 % = 9 of 36"])
        #expect(m.columns == 3)
        let svg = try Self.parse(try SVGFigure.encode(m))
        #expect(svg.panels.map { $0["kept"] ?? 0 } == [27, 17, 9])
        #expect(svg.panels.map { $0["pruned"] ?? 0 } == [9, 19, 27])
        let geo = Self.geometry(m)
        #expect(geo.frameOrigin(panel: 1, frame: 0).y == geo.frameOrigin(panel: 0, frame: 0).y)
        let fig = try ImageDecoder.decode(try PNGFigure.encode(m), source: "figure")
        #expect(fig.width == geo.width && fig.width > 3 * geo.frameWidth)
        // The last panel shows the 25 % cut: its best token is kept untouched, its worst pruned.
        guard case .image(let source)? = Fixtures.image.sample.media else { return }
        let best = Fixtures.image.scores.ranking[0], worst = Fixtures.image.scores.ranking.last!
        #expect(Self.patchPixels(fig, source, geo, panel: 2, token: best, grid: (6, 6)).allSatisfy { $0.got == $0.source })
        #expect(Self.patchPixels(fig, source, geo, panel: 2, token: worst, grid: (6, 6)).allSatisfy { $0.got != $0.source })
    }

    @Test func compareShowsBothMethodsSideBySideAtTheSameScale() throws {
        let m = Self.model(baseline: .uniform)
        #expect(m.panels.map(\.method) == [.deft, .uniform] && m.columns == 2)
        let svg = try Self.parse(try SVGFigure.encode(m))
        let uniform = Fixtures.image.comparison!.reduction(.uniform, ratio: 0.5)
        #expect(svg.panels[1]["kept"] == uniform.k && svg.panelAttributes[1]["data-method"] == "uniform")
        #expect(svg.texts.contains("uniform: keep 50.0 % = 18 of 36"))
        let geo = Self.geometry(m)
        let fig = try ImageDecoder.decode(try PNGFigure.encode(m), source: "figure")
        guard case .image(let source)? = Fixtures.image.sample.media else { return }
        let kept = try #require(uniform.isKept.firstIndex(of: true))
        #expect(Self.patchPixels(fig, source, geo, panel: 1, token: kept, grid: (6, 6)).allSatisfy { $0.got == $0.source })
        #expect(geo.frameOrigin(panel: 1, frame: 0).x == geo.frameOrigin(panel: 0, frame: 0).x + geo.frameWidth + FigureGeometry.gap)
    }

    @Test func toMeMergedTokensAreNotCountedAsPruned() throws {
        let m = Self.model(baseline: .tome)
        let side = FigureSidecar(m).panels[1]
        let red = Fixtures.image.comparison!.reduction(.tome, ratio: 0.5)
        #expect(side.kept.count == red.k)
        #expect(side.kept.count + side.pruned.count + (side.mergedInto?.count ?? 0) == 36)
        for (token, anchor) in side.mergedInto ?? [:] { #expect(red.anchor![Int(token)!] == anchor && red.isKept[anchor]) }
    }

    @Test func sidecarHoldsTheEnginesSelection() throws {
        let m = Self.model(ratio: 0.3, mode: .hybrid)
        let data = try FigureSidecar(m).encoded()
        let back = try JSONDecoder().decode(FigureSidecar.self, from: data)
        let sel = Fixtures.image.scores.selection(ratio: 0.3, mode: .hybrid)
        let p = try #require(back.panels.first)
        #expect(p.kept == sel.kept && p.k == sel.k && p.reconstructed == sel.reconstructed && p.method == "deft")
        #expect(Set(p.pruned).isDisjoint(with: sel.reconstructed) && p.pruned.count + p.reconstructed.count == sel.pruned.count)
        #expect(back.scores.combined == Fixtures.image.scores.combined && back.scores.group == Fixtures.image.scores.group)
        #expect(back.tokens == 36 && back.mode == "hybrid" && back.input == "synthetic.png" && back.features == "test features")
        #expect(back.weights == Fixtures.image.weights)
    }

    @Test func textIsAnSVGWithFadedStruckTokensAndRefusesPNG() throws {
        let m = Self.model(Fixtures.text, ratio: 0.5)
        let n = Fixtures.text.scores.count, k = TokenScores.keepCount(ratio: 0.5, tokens: n)
        let svg = try Self.parse(try SVGFigure.encode(m))
        #expect(svg.panels[0]["kept"] == k && svg.panels[0]["pruned"] == n - k)
        #expect(svg.strikes == n - k)
        #expect(svg.texts.contains("Four") && svg.texts.contains("nation"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deft-figure-\(UUID()).png").path
        #expect(throws: DeFTError(path, "a text sample has no pixels to put in a PNG; export it as .svg")) {
            try FigureExport.write(m, to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func videoStripsCountKeptTokensPerFrame() throws {
        let m = Self.model(Fixtures.video, ratio: 0.5)
        let counts = m.panels[0].keptPerFrame(Fixtures.video.scores.layout)
        #expect(counts.reduce(0, +) == m.panels[0].k && counts.count == 4)
        let svg = try Self.parse(try SVGFigure.encode(m))
        for (t, c) in counts.enumerated() { #expect(svg.texts.contains("frame \(t + 1): kept \(c) of 12")) }
        let description = m.caption.joined(separator: "\n")
        #expect(description.contains("kept per frame, DeFT keep 50.0 % = 24 of 48: 1: \(counts[0]), 2: \(counts[1])"))
        let fig = try ImageDecoder.decode(try PNGFigure.encode(m), source: "figure")
        #expect(fig.width == Self.geometry(m).width)
    }

    @Test func textFromFilesIsEscapedAndFreeOfControlCharacters() throws {
        let s = Fixtures.image
        let nasty = "<b>&\"x\"</b>\u{1B}[31m\u{7}red\u{85}"
        let named = ScoredSample(sample: LoadedSample(name: nasty, media: s.sample.media, tokenSet: s.sample.tokenSet),
                                 scores: s.scores, semantic: s.semantic, weights: "w\u{0}\n", feedbackSource: s.feedbackSource)
        let m = Self.model(named)
        let svgText = try SVGFigure.encode(m)
        let svg = try Self.parse(svgText)
        #expect(svg.texts.contains("<b>&\"x\"</b>␛[31m␇red\u{FFFD}"))
        #expect(!svgText.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let json = String(decoding: try FigureSidecar(m).encoded(), as: UTF8.self)
        #expect(!json.contains("\\u001b") && !json.contains("\\u0000") && json.contains("w␀␊"))
    }

    @Test func exportNamesAndErrors() throws {
        #expect(FigureExport.sidecarPath("out/fig.png") == "out/fig.json")
        #expect(FigureExport.sidecarPath("fig.svg") == "fig.json")
        #expect(throws: DeFTError("fig.jpg", "unknown figure type '.jpg': use .png or .svg")) { try FigureExport.format(of: "fig.jpg") }
        #expect(throws: DeFTError("fig", "no file extension: name the figure .png or .svg")) { try FigureExport.format(of: "fig") }
        #expect(try FigureExport.ratios("0.75, 0.482,0.25") == [0.75, 0.482, 0.25])
        #expect(throws: DeFTError("--ratios", "each ratio must be a number in (0, 1], got '1.5'")) { try FigureExport.ratios("0.5,1.5") }
        #expect(throws: DeFTError("--ratios", "each ratio must be a number in (0, 1], got ''")) { try FigureExport.ratios("0.5,") }
        let bad = "/nonexistent-\(UUID())/fig.png"
        #expect(throws: DeFTError(bad, "cannot write: No such file or directory")) { try FigureExport.write(Self.model(), to: bad) }
    }

    @Test func theViewerKeyWritesTheCurrentView() throws {
        var (s, commands) = update(Self.state(Fixtures.image, ratio: 0.25), .key(.char("e")))
        #expect(commands == [.export])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deft-figure-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        s.note = FigureExport.exportView(s, input: "/data/my photo.png", directory: dir)
        let path = dir + "/deft-my_photo-keep25.0-fast.png"
        #expect(s.note == "wrote \(path) and \(dir)/deft-my_photo-keep25.0-fast.json")
        let side = try JSONDecoder().decode(FigureSidecar.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/deft-my_photo-keep25.0-fast.json")))
        #expect(side.panels[0].k == 9)
        #expect(try ImageDecoder.load(path: path).width > 0)
        let failed = FigureExport.exportView(s, input: "x.png", directory: "/nonexistent-\(UUID())")
        #expect(failed.hasPrefix("export failed: ") && failed.contains("No such file or directory"))
    }
}
