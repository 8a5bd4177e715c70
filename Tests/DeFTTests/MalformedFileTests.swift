import Foundation
import Testing
@testable import DeFT

/// Every class of broken file gets one line that names the file and the problem.
@Suite struct MalformedFileTests {
    @Test func emptyAndTruncatedSafetensors() {
        let empty = TestFiles.write([], "empty.safetensors")
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: empty) }?.contains("shorter than its 8-byte header length") == true)
        let p = TestFiles.safetensors(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: TestFiles.floatBytes([1, 2]))
        let m = TestFiles.message { _ = try SafetensorsFile.load(path: p) }
        #expect(m == "\(p): tensor 'a' has offsets [0, 16) outside the data (8 bytes)")
    }

    @Test func headerLongerThanFile() {
        let p = TestFiles.write(withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init) + Array("{}".utf8), "long.safetensors")
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: p) }?.contains("header length 1000 runs past the end of the file") == true)
    }

    @Test func badHeaderJSON() {
        let p = TestFiles.safetensors(header: "{not json", data: [])
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: p) } == "\(p): the header is not a JSON object")
    }

    @Test func unknownDtypeAndSizeMismatch() {
        let a = TestFiles.safetensors(header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: a) } == "\(a): tensor 'a' has unsupported dtype C64")
        let b = TestFiles.safetensors(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: TestFiles.floatBytes([1, 2]))
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: b) } == "\(b): tensor 'a' holds 8 bytes but F32 [3] needs 12")
    }

    @Test func overlappingTensorsAndOverflowingShapes() {
        let o = TestFiles.safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                      data: TestFiles.floatBytes([1, 2, 3]))
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: o) }?.contains("overlap") == true)
        let big = TestFiles.safetensors(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        #expect(TestFiles.message { _ = try SafetensorsFile.load(path: big) }?.contains("overflows") == true)
    }

    @Test func nanNamesTensorAndIndex() throws {
        let p = TestFiles.safetensors(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#, data: TestFiles.floatBytes([1, .nan, 3]))
        let f = try SafetensorsFile.load(path: p)
        #expect(TestFiles.message { _ = try f.floats("w") } == "\(p): tensor 'w' holds nan at flat index 1")
    }

    @Test func halfPrecisionWidens() throws {
        // 1.0, −2.0, 65504 (max half), a subnormal; bf16 1.5.
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001]
        let bytes = half.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } + withUnsafeBytes(of: UInt16(0x3FC0).littleEndian, Array.init)
        let p = TestFiles.safetensors(header: #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]}}"#, data: bytes)
        let f = try SafetensorsFile.load(path: p)
        #expect(try f.floats("h").values == [1, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        #expect(try f.floats("b").values == [1.5])
    }

    @Test func weightsWithWrongShapesNameTheKey() throws {
        var model = DeFTModel(untrained: DeFTConfig(tokenDim: 8, semanticDim: 6), seed: 1)
        model.sam2 = Linear(weight: Matrix(rows: 6, cols: 5), bias: [Float](repeating: 0, count: 6))
        let p = TestFiles.path("bad.safetensors")
        try model.save(to: p)
        #expect(TestFiles.message { _ = try DeFTModel(safetensors: p) } == "\(p): 'sam.mlp.2.weight' has shape [6, 5], expected [6, 6]")
    }

    @Test func tokensDisagreeingWithWeightsAreRefused() throws {
        let model = DeFTModel(untrained: DeFTConfig(tokenDim: 8, semanticDim: 6), seed: 1)
        let m = TestFiles.message {
            _ = try DeFTPipeline.score(model, tokens: Matrix(rows: 4, cols: 7), batch: 1, layout: .image(height: 2, width: 2))
        }
        #expect(m == "tokens: tokens have width d=7 but the weights expect d=8")
    }

    @Test func npyRefusals() {
        let f = TestFiles.npy(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data: TestFiles.floatBytes([1, 2, 3, 4]))
        #expect(TestFiles.message { _ = try Npy.load(path: f) }?.contains("Fortran-order arrays are not supported") == true)
        let be = TestFiles.npy(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])
        #expect(TestFiles.message { _ = try Npy.load(path: be) }?.contains("big-endian >f4") == true)
        let i = TestFiles.npy(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8))
        #expect(TestFiles.message { _ = try Npy.load(path: i) } == "\(i): dtype <i8 is not supported (float32, float64 or float16 expected)")
        let short = TestFiles.npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", data: TestFiles.floatBytes([1, 2]))
        #expect(TestFiles.message { _ = try Npy.load(path: short) } == "\(short): holds 8 bytes of data but <f4 [3, 2] needs 24")
        let junk = TestFiles.write(Array("hello".utf8), "junk.npy")
        #expect(TestFiles.message { _ = try Npy.load(path: junk) }?.contains("not a .npy file") == true)
    }

    @Test func npyReadsFloat64AndVersion2() throws {
        let d = [1.5, -2.25].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let p = TestFiles.npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data: d)
        #expect(try Npy.load(path: p) == Tensor(shape: [2], values: [1.5, -2.25]))
        var h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"
        while (12 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        let n = h.utf8.count
        let v2 = TestFiles.write([0x93] + Array("NUMPY".utf8) + [2, 0, UInt8(n & 0xFF), UInt8(n >> 8), 0, 0] + Array(h.utf8) + TestFiles.floatBytes([3, 4]), "v2.npy")
        #expect(try Npy.load(path: v2) == Tensor(shape: [1, 2], values: [3, 4]))
    }

    @Test func npyRoundTrip() throws {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let p = TestFiles.path("rt.npy")
        try Npy.write(t, to: p)
        #expect(try Npy.load(path: p) == t)
    }

    @Test func llavaConfigTypesAndRanges() throws {
        let good = TestFiles.write(Array(#"{"use_deft": true, "deft_semantic_dim": 256, "deft_retention_ratio": 0.25, "mm_hidden_size": 1024, "other": [1]}"#.utf8), "c.json")
        let c = try LLaVAConfig.load(path: good)
        var cfg = DeFTConfig(tokenDim: 8)
        c.apply(to: &cfg)
        #expect(cfg.semanticDim == 256 && cfg.retentionRatio == 0.25 && cfg.tokenDim == 1024)
        let badType = TestFiles.write(Array(#"{"deft_semantic_dim": "big"}"#.utf8), "c.json")
        #expect(TestFiles.message { _ = try LLaVAConfig.load(path: badType) } == "\(badType): 'deft_semantic_dim' must be a whole number")
        let badRatio = TestFiles.write(Array(#"{"deft_retention_ratio": 1.5}"#.utf8), "c.json")
        #expect(TestFiles.message { _ = try LLaVAConfig.load(path: badRatio) }?.contains("must be in (0, 1]") == true)
    }
}
