import DeFT
import DeFTMedia
import Foundation

/// A loaded sample's tokens as one safetensors tensor, "tokens" [N, d], with metadata saying what they
/// are: modality, frames, grid (HxW per frame), origin (the encoder and its settings), source and, for
/// text, the spans in UTF-8 bytes. `deft encode` writes it; `deft bundle` stores it in float16.
enum TokenFile {
    static func metadata(_ sample: LoadedSample, source: String) -> [String: String] {
        let layout = sample.tokenSet.layout
        var metadata = ["modality": layout.modality.rawValue, "origin": sample.tokenSet.featureOrigin, "source": source,
                        "frames": "\(layout.modality == .video ? layout.frames : 1)"]
        if layout.modality != .text { metadata["grid"] = "\(layout.height)x\(layout.width)" }
        if case .text(let document)? = sample.media {
            metadata["spans"] = "[" + document.tokens.map { "[\($0.byteStart),\($0.byteEnd)]" }.joined(separator: ",") + "]"
            metadata["span_unit"] = "utf8-bytes"
        }
        return metadata
    }

    static func tensor(_ sample: LoadedSample) -> Tensor {
        let tokens = sample.tokenSet.tokens
        return Tensor(shape: [tokens.rows, tokens.cols], values: tokens.storage)
    }

    static func write(_ sample: LoadedSample, source: String, as type: SafetensorsFile.FloatType, to path: String) throws {
        try SafetensorsFile.write([("tokens", tensor(sample))], metadata: metadata(sample, source: source), as: type, to: path)
    }
}
