import Foundation
import Testing
@testable import DeFT

/// Inputs that are valid must be accepted, whatever order or platform quirk they meet.
@Suite struct ValidInputTests {
    @Test func jsonNumbersAreNumbersAndBoolsAreNot() throws {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(#"{"z":0,"o":1,"t":2,"w":3.0,"f":1.5,"T":true,"F":false,"s":"1","h":1e30,"n":-4}"#.utf8)) as? [String: Any])
        #expect(JSONNumber.integer(obj["z"]!) == 0 && JSONNumber.integer(obj["o"]!) == 1 && JSONNumber.integer(obj["t"]!) == 2)
        #expect(JSONNumber.integer(obj["w"]!) == 3 && JSONNumber.integer(obj["n"]!) == -4)
        for k in ["f", "T", "F", "s", "h"] { #expect(JSONNumber.integer(obj[k]!) == nil, "\(k)") }
        #expect(JSONNumber.isBool(obj["T"]!) && JSONNumber.isBool(obj["F"]!) && !JSONNumber.isBool(obj["o"]!) && !JSONNumber.isBool(obj["z"]!))
        #expect(JSONNumber.double(obj["f"]!) == 1.5 && JSONNumber.double(obj["T"]!) == nil)
        #expect(JSONNumber.integers([obj["z"]!, obj["o"]!]) == [0, 1] && JSONNumber.integers([obj["o"]!, obj["T"]!]) == nil)
    }

    /// Several empty tensors — at a neighbour's start, inside it, at the end — in every key order
    /// (the dictionary's order decided how ties sorted).
    @Test func manyEmptyTensorsNeverOverlap() throws {
        let real = [#""w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, #""v":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}"#]
        let empty = [0, 0, 4, 8, 8, 12, 12].enumerated().map { i, at in #""e\#(i)":{"dtype":"F32","shape":[0,3],"data_offsets":[\#(at),\#(at)]}"# }
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let fields = round == 0 ? empty + real : (empty + real).shuffled(using: &rng)
            let p = TestFiles.safetensors(header: "{" + fields.joined(separator: ",") + "}", data: TestFiles.floatBytes([1, 2, 3]))
            let f = try SafetensorsFile.load(path: p)
            #expect(f.names.count == 9)
            #expect(try f.floats("e3").shape == [0, 3] && f.floats("w").values == [1, 2])
        }
        // Real overlaps are still caught.
        let bad = TestFiles.safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                        data: TestFiles.floatBytes([1, 2]))
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: bad) }?.contains("overlap") == true)
    }

    @Test func aConfigThatIsNotAnObjectSaysSo() {
        for text in ["[1, 2]", "3", "\"x\""] {
            let p = TestFiles.write(Array(text.utf8), "c.json")
            #expect(TestFiles.message { _ = try LLaVAConfig.load(path: p) } == "\(p): not a JSON object (a config.json is one object of fields)", "\(text)")
        }
    }
}
