import Foundation
import Testing
@testable import DeFT

@Suite struct ReportJSONTests {
    struct Record: Encodable { let name: String; let losses: [Double] }
    struct Nested: Encodable { let k: Int; let scores: [[Float]] }

    @Test func nonFiniteNumbersAreNamedWhereTheySit() {
        #expect(TestFiles.message { _ = try ReportJSON.encode(Record(name: "a", losses: [1, .infinity]), source: "r.json") }
                == "r.json: cannot write inf at 'losses[1]' into JSON: only finite numbers fit")
        #expect(TestFiles.message { _ = try ReportJSON.encode(Nested(k: 3, scores: [[0.5, 1.0], [.nan]]), source: "--json") }
                == "--json: cannot write nan at 'scores[1][0]' into JSON: only finite numbers fit")
    }

    @Test func finiteReportsAreSortedJSON() throws {
        let e = try ReportJSON.encode(Record(name: "a", losses: [1.5]), source: "r.json", pretty: false)
        #expect(String(decoding: e, as: UTF8.self) == #"{"losses":[1.5],"name":"a"}"#)
    }

    @Test func sizeProductsOverflowAndLimitsAreErrorsNotTraps() throws {
        #expect(try SizeLimits.product([512, 512], source: "--grid", what: "a grid of", limit: 512 * 512) == 262_144)
        #expect(TestFiles.message { _ = try SizeLimits.product([Int.max, 3], source: "--grid", what: "a grid of") }
                == "--grid: a grid of \(Int.max)×3 is more than deft's limit of \(Int.max)")
        #expect(TestFiles.message { _ = try SizeLimits.positive(0, source: "x", what: "'w'", limit: 4) } == "x: 'w' must be at least 1, got 0")
        #expect(TestFiles.message { _ = try SizeLimits.positive(5, source: "x", what: "'w'", limit: 4) } == "x: 'w' 5 is more than deft's limit of 4")
    }
}
