import DeFT
import DeFTMedia
import DeFTViz
import Foundation

/// `deft bench` rows for the pixel canvas (kitty, sixel) on Samples/astronaut in a 120×40 terminal of
/// 10×20-pixel cells: what a scrub frame computes with the canvas in pixels (the update, the view, the
/// scene and the layer's step while the new picture waits to settle) against the same in cells, and
/// what the picture costs once it has settled: composing its pixels and libchafa's encoding.
enum PixelBench {
    struct Report: Codable {
        let sample: String
        let pixels: String
        /// A ratio step with the canvas in pixels: update, view, scene, the layer's step (no encode).
        let scrubWithPixels: Timing
        /// The same step with the canvas in cells (the view draws the picture in cells).
        let scrubWithCells: Timing
        /// The picture's pixels from the source: resampled, then marked.
        let compose: Timing
        /// The same with the resampled source kept from the last picture (what a scrub's new picture costs).
        let composeKeptSource: Timing
        let kittyEncode: Timing
        let kittyBytes: Int
        let sixelEncode: Timing
        let sixelBytes: Int

        var lines: [String] {
            func ms(_ t: Timing) -> String { String(format: "%.2f ms (%.2f–%.2f)", t.medianMs, t.minMs, t.maxMs) }
            return ["",
                    "pixel canvas, \(sample) at 120×40 cells, picture \(pixels):",
                    "  ratio step → new frame, canvas in pixels (no encode): \(ms(scrubWithPixels)); in cells: \(ms(scrubWithCells))",
                    "  once settled: compose the picture \(ms(compose)), \(ms(composeKeptSource)) with the resampled source kept; libchafa kitty \(ms(kittyEncode)) → \(kittyBytes / 1024) KiB, sixel \(ms(sixelEncode)) → \(sixelBytes / 1024) KiB"]
        }
    }

    static func measure(quick: Bool, repetitions: Int) -> Report? {
        let sample = "Samples/astronaut"
        guard FileManager.default.fileExists(atPath: sample) else { return nil }
        var settings = Viewer.Settings()
        if quick { settings.scorer.load.grid = GridSize(height: 4, width: 4) }
        var state = Viewer.firstFrameState(paths: [sample], names: ["astronaut"], settings: settings, width: 120, height: 40,
                                           depth: .truecolor, unicode: true)
        state.pixels = .kitty
        guard let scene = pixelScene(state) else { return nil }
        let cell = PixelSize.defaultCell
        var layer = PixelLayer(drawing: .kitty)
        var walk = ScrubWalk()
        func scrub(_ s: inout AppState, pixels: Bool) {
            walk.step(&s)
            let frame = view(s)
            if pixels {
                // The clock stands still: the picture never settles, as while a key is held.
                _ = layer.step(pixelScene(s), cell: cell, damaged: layer.damaged(previous: nil, frame: frame), cleared: false, nowMs: 0)
            }
        }
        let withPixels = Timing.measure(repetitions: max(repetitions, 20)) { scrub(&state, pixels: true) }
        var cells = state
        cells.pixels = .cells
        let withCells = Timing.measure(repetitions: max(repetitions, 20)) { scrub(&cells, pixels: false) }
        let kittySize = PixelEncoder.pixelSize(columns: scene.cells.width, rows: scene.cells.height, cell: cell, for: .kitty)
        let sixelSize = PixelEncoder.pixelSize(columns: scene.cells.width, rows: scene.cells.height, cell: cell, for: .sixel)
        let compose = Timing.measure(repetitions: repetitions) { _ = scene.rgba(kittySize) }
        let base = scene.base(kittySize)
        let composeKept = Timing.measure(repetitions: repetitions) { _ = scene.rgba(kittySize, base: base) }
        let rgba = scene.rgba(kittySize), rgbaSixel = scene.rgba(sixelSize)
        var kittyBytes = 0, sixelBytes = 0
        let kitty = Timing.measure(repetitions: repetitions) {
            kittyBytes = PixelEncoder.encode(rgba: rgba, size: kittySize, columns: scene.cells.width, rows: scene.cells.height, cell: cell, as: .kitty).count
        }
        let sixel = Timing.measure(repetitions: repetitions) {
            sixelBytes = PixelEncoder.encode(rgba: rgbaSixel, size: sixelSize, columns: scene.cells.width, rows: scene.cells.height, cell: cell, as: .sixel).count
        }
        return Report(sample: sample, pixels: "\(kittySize.width)×\(kittySize.height) px over \(scene.cells.width)×\(scene.cells.height) cells",
                      scrubWithPixels: withPixels, scrubWithCells: withCells, compose: compose, composeKeptSource: composeKept,
                      kittyEncode: kitty, kittyBytes: kittyBytes, sixelEncode: sixel, sixelBytes: sixelBytes)
    }
}
