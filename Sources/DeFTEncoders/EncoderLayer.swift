/// Which hidden state an encoder hands out: `last` (after the final block, and for a ViT its final
/// norm) or `penultimate` (the output of the second-to-last block, before any final norm: what
/// LLaVA feeds its projector).
public enum EncoderLayer: String, CaseIterable, Sendable, Codable {
    case last, penultimate
}
