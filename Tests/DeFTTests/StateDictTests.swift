import Foundation
import Testing
@testable import DeFT

@Suite struct StateDictTests {
    @Test func savedWeightsReloadBitIdentically() throws {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 12, semanticDim: 8, bottleneckRatio: 3), seed: 7)
        let p = TestFiles.path("m.safetensors")
        try model.save(to: p, metadata: ["note": "test"])
        let back = try DeFTModel(safetensors: p)
        #expect(back.sam1 == model.sam1 && back.sam2 == model.sam2 && back.score3 == model.score3)
        #expect(back.gate == model.gate && back.rtd == model.rtd && back.mixtureLogits == model.mixtureLogits)
        #expect(back.config.bottleneckRatio == 3 && back.config.semanticDim == 8 && back.config.tokenDim == 12)
        #expect(back.origin == .trained(path: p))
        #expect(try SafetensorsFile.load(path: p).metadata["note"] == "test")
    }

    @Test func writesEveryReferenceKeyWithReferenceShapes() throws {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 16, semanticDim: 8), seed: 0)
        let shapes = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor.shape) })
        #expect(shapes.count == 23)
        #expect(shapes["rtd.reconstruct_gate.0.weight"] == [1, 18])     // the reference's width d+2
        #expect(shapes["scoring.reconstruct_gate.0.weight"] == [1, 10]) // d′+2
        #expect(shapes["rtd.encoder.0.weight"] == [4, 16])
        #expect(shapes["scoring.mixture_logits"] == [3])
    }

    @Test func goldenGateRuleFollowsSpec() throws {
        // image_hybrid_logits has d = d′ = 32: the RTD's gate (width 34) is the one used.
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/golden/image_hybrid_logits/weights.safetensors").path
        let file = try SafetensorsFile.load(path: dir)
        let model = try DeFTModel(stateDict: file)
        #expect(model.gate.weight.storage == (try file.floats("rtd.reconstruct_gate.0.weight")).values)
        // image_hybrid has d = 40 ≠ d′ = 24: the scoring gate (width 26) is used.
        let other = try DeFTModel(safetensors: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/golden/image_hybrid/weights.safetensors").path)
        #expect(other.gate.inputWidth == 26)
    }

    @Test func pythonStyleFileLoadsWithPaddedHeader() throws {
        // The Python library pads the header with spaces to 8 bytes; ours does the same.
        let p = TestFiles.path("pad.safetensors")
        try SafetensorsFile.write([("x", Tensor(shape: [1], values: [2]))], to: p)
        let bytes = [UInt8](FileManager.default.contents(atPath: p)!)
        let n = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(n % 8 == 0)
        #expect(try SafetensorsFile.load(path: p).floats("x").values == [2])
    }
}
