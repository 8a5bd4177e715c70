import DeFTEncoders
import Foundation
import Testing

@Suite struct SHA256Tests {
    @Test func knownVectorsFromFIPS180() {
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func streamingInUnevenChunksEqualsOneShot() {
        // One million 'a' (the FIPS long vector), fed in chunks that straddle block boundaries.
        var s = SHA256()
        var fed = 0
        var chunk = 1
        while fed < 1_000_000 {
            let n = min(chunk, 1_000_000 - fed)
            s.update([UInt8](repeating: 0x61, count: n))
            fed += n
            chunk = chunk * 7 % 1000 + 1
        }
        #expect(s.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func fileDigestMatchesMemoryDigest() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let path = Fixture.scratch("blob")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(try SHA256.hex(ofFile: path) == SHA256.hex(of: bytes))
    }
}
