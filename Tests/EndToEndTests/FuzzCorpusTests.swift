import Foundation
import Testing

/// Replays the fuzz corpus (the seeds and every input a fuzzer ever found) through each parser in a
/// normal build: a crash found once stays fixed. `.ci/fuzz` is the fuzzer itself.
@Suite struct FuzzCorpusTests {
    @Test(arguments: ["npy", "safetensors", "manifest", "image", "bundle", "config", "head", "vocab", "bertconfig"])
    func corpusReplaysWithoutACrash(_ target: String) throws {
        let replayer = DeftBinary.url.deletingLastPathComponent().appendingPathComponent("deft-fuzz")
        let corpus = DeftBinary.packageRoot.appendingPathComponent("Tests/Fuzz/corpus/\(target)").path
        let p = Process()
        p.executableURL = replayer
        p.arguments = [target, corpus]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        let count = Int(text.split(separator: ":").last?.split(separator: " ").first ?? "") ?? 0
        #expect(count >= 3, "\(text)")
        // At least one seed gets past the parser, so the target's later stages run too.
        let accepted = text.components(separatedBy: "(").last.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        #expect(accepted >= 1, "\(text)")
    }
}
