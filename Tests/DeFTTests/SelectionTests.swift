import Testing
@testable import DeFT

@Suite struct SelectionTests {
    @Test func keepCountTruncatesLikePython() {
        #expect(TokenScores.keepCount(ratio: 0.482, tokens: 576) == 277)
        #expect(TokenScores.keepCount(ratio: 0.482, tokens: 64) == 30)
        #expect(TokenScores.keepCount(ratio: 0.001, tokens: 10) == 1)
        #expect(TokenScores.keepCount(ratio: 1.0, tokens: 10) == 10)
    }

    @Test func imageNeighboursClipAtCorners() {
        let l = TokenLayout.image(height: 3, width: 4)
        #expect(Neighbourhood.grid(of: 0, in: l) == [1, 4, 5])
        #expect(Neighbourhood.grid(of: 5, in: l) == [0, 1, 2, 4, 6, 8, 9, 10])
        #expect(Neighbourhood.grid(of: 11, in: l) == [6, 7, 10])
        #expect(Neighbourhood.grid(of: 2, in: .image(height: 1, width: 5)) == [1, 3])
    }

    @Test func videoNeighboursAreTwoFramesEachWay() {
        let l = TokenLayout.video(frames: 5, height: 2, width: 2)
        #expect(Neighbourhood.grid(of: 9, in: l) == [1, 5, 13, 17])   // frame 2, pos 1
        #expect(Neighbourhood.grid(of: 0, in: l) == [4, 8])
        #expect(Neighbourhood.grid(of: 3, in: .video(frames: 1, height: 2, width: 2)).isEmpty)
    }
}
