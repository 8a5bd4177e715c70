import Foundation
import Testing

@Suite struct EvalCommandTests {
    func json(_ r: DeftBinary.Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    @Test func accuracyOnTheHeldOutDigitsForEveryMethodAndRatio() throws {
        let r = try DeftBinary.run(["eval", "accuracy", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try json(r) as? [String: Any])
        #expect(report["testCount"] as? Int == 1000)
        let all = try #require(report["allTokens"] as? Double)
        // The frozen model on every token is far above chance (10 %).
        #expect(all > 0.6)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["k"] as? Int } == [4, 12, 23, 36])
        for row in rows {
            let acc = try #require(row["accuracy"] as? [String: Double])
            #expect(Set(acc.keys) == ["deft", "saliency", "norm", "random", "uniform", "tome"])
            #expect(acc.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test func curveReportsEveryMethodEndingLosslessAtFullRetention() throws {
        let r = try DeftBinary.run(["eval", "curve", "Samples/astronaut", "--step", "25", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try json(r) as? [String: Any])
        let curves = try #require(report["curves"] as? [String: [[String: Any]]])
        #expect(curves.count == 6)
        for (method, points) in curves {
            #expect(points.map { $0["k"] as? Int } == [144, 288, 432, 576], "\(method)")
            #expect((points.last?["error"] as? Double ?? 1) < 1e-6)
            #expect((points.first?["error"] as? Double ?? 0) > 0)
        }
    }

    @Test func costTableAndJSONUseThePresets() throws {
        let r = try DeftBinary.run(["eval", "cost", "--text-tokens", "0", "--ratios", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(try json(r) as? [[String: Any]])
        #expect(abs((rows[0]["prefillFLOPs"] as? Double ?? 0) / 1e12 - 3.817) < 0.001)
        let table = try DeftBinary.run(["eval", "cost", "--llm", "llava-1.5-13b"])
        #expect(table.status == 0 && table.stdout.contains("LLaVA-1.5-13B") && table.stdout.contains("277/576"))
    }

    @Test func badArgumentsGetOneLine() throws {
        for args in [["eval", "cost", "--llm", "gpt-9"], ["eval", "curve", "/nonexistent.png"], ["eval", "accuracy", "/tmp"],
                     ["eval", "cost", "--ratios", "0,2"], ["eval", "curve", "Samples/astronaut", "--step", "0"]] {
            let r = try DeftBinary.run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.hasPrefix("deft: "), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "\(args)")
        }
    }
}
