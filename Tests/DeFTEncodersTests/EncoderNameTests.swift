import DeFTEncoders
import Testing

@Suite struct EncoderNameTests {
    @Test func namesRoundTripThroughTheirCommandLineSpelling() {
        for e in EncoderName.allCases { #expect(EncoderName(rawValue: e.rawValue) == e) }
        #expect(EncoderName(rawValue: "dinov2-s14") == .dinov2S14)
        #expect(EncoderName(rawValue: "clip") == nil)
    }
}
