import DeFTMedia

/// A figure as PNG bytes: the raster, and the caption in text chunks (a PNG has no fonts).
public enum PNGFigure {
    public static func encode(_ model: FigureModel) throws -> [UInt8] {
        try ImageDecoder.encodePNG(try FigureRaster.render(model), text: textChunks(model))
    }

    /// PNG's registered keywords where one fits, so image viewers show them.
    static func textChunks(_ model: FigureModel) -> [(keyword: String, text: String)] {
        [("Title", model.sampleName),
         ("Description", model.caption.joined(separator: "\n")),
         ("Source", model.input),
         ("Software", "deft")]
    }
}
