import DeFT

/// How a non-square image becomes the encoder's input.
public enum ImageFit: String, CaseIterable, Sendable, Codable {
    /// Pad to a square with the mean colour, then resize (LLaVA-1.5): every image gives the same grid.
    case pad
    /// Centre-crop the largest square, then resize.
    case crop
    /// Keep the aspect ratio: the long side becomes the resolution, the short side the nearest multiple
    /// of the patch size (at least one patch), so the grid is not square.
    case keep
}

/// RGB bytes → the normalised planar [3, H, W] floats a ViT takes: fit, bicubic resample, RGB/255,
/// ImageNet mean and standard deviation.
///
/// Resampling is Pillow's `Image.resize(size, Image.BICUBIC)` computed in float: separable Keys cubic
/// convolution with a = −0.5, half-pixel centres, the kernel widened by the shrink factor
/// (antialiasing), out-of-image taps dropped and the weights renormalised; horizontal pass, then
/// vertical, each rounded and clipped to 8 bits as Pillow does (Pillow's fixed-point weights can still
/// put a pixel one level away). An image whose size
/// (after padding or cropping) already equals the target is not resampled at all, so its pixels reach
/// the encoder untouched.
public struct ImagePreprocessing: Sendable, Equatable {
    public var resolution: Int
    public var fit: ImageFit
    public var patchSize: Int

    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let std: [Float] = [0.229, 0.224, 0.225]
    /// The padding colour: the ImageNet mean in 8 bits, truncated as LLaVA-1.5 does (`int(m·255)`).
    public static let padColour: [UInt8] = mean.map { UInt8(Int($0 * 255)) }

    public init(resolution: Int = 336, fit: ImageFit = .pad, patchSize: Int = 14) throws {
        guard resolution > 0, patchSize > 0, resolution % patchSize == 0 else {
            throw DeFTError("--resolution", "\(resolution) is not a positive multiple of the patch size \(patchSize)")
        }
        self.resolution = resolution
        self.fit = fit
        self.patchSize = patchSize
    }

    /// The input size (width, height) for an image of `width`×`height`.
    public func targetSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch fit {
        case .pad, .crop: return (resolution, resolution)
        case .keep:
            let long = max(width, height), short = min(width, height)
            let scaled = Double(short) * Double(resolution) / Double(long)
            let side = max(patchSize, Int((scaled / Double(patchSize)).rounded()) * patchSize)
            return width >= height ? (resolution, side) : (side, resolution)
        }
    }

    /// The normalised planar pixels and their size.
    public func pixels(rgb: [UInt8], width: Int, height: Int, source: String) throws -> (values: [Float], width: Int, height: Int) {
        guard width > 0, height > 0, rgb.count == width * height * 3 else {
            throw DeFTError(source, "expected \(width)×\(height) RGB pixels (\(max(0, width * height * 3)) bytes), got \(rgb.count)")
        }
        let (tw, th) = targetSize(width: width, height: height)
        let (framed, fw, fh) = framedForFit(rgb, width: width, height: height)
        let interleaved: [Float]
        if fw == tw && fh == th {
            interleaved = framed.map(Float.init)
        } else {
            interleaved = CubicInterpolation.resize(
                framed.map(Float.init), height: fh, width: fw, channels: 3,
                rowTaps: CubicInterpolation.pillowBicubicTaps(from: fh, to: th),
                columnTaps: CubicInterpolation.pillowBicubicTaps(from: fw, to: tw), eightBit: true)
        }
        var planar = [Float](repeating: 0, count: 3 * tw * th)
        let plane = tw * th
        for c in 0..<3 {
            let m = Self.mean[c], s = Self.std[c]
            for i in 0..<plane { planar[c * plane + i] = (interleaved[i * 3 + c] / 255 - m) / s }
        }
        return (planar, tw, th)
    }

    /// The image padded or cropped to a square (pad, crop), or as it is (keep).
    public func framedForFit(_ rgb: [UInt8], width: Int, height: Int) -> ([UInt8], Int, Int) {
        switch fit {
        case .keep: return (rgb, width, height)
        case .pad:
            let side = max(width, height)
            if side == width && side == height { return (rgb, width, height) }
            var out = [UInt8](repeating: 0, count: side * side * 3)
            for i in 0..<(side * side) { for c in 0..<3 { out[i * 3 + c] = Self.padColour[c] } }
            let ox = (side - width) / 2, oy = (side - height) / 2
            for y in 0..<height {
                let dst = ((y + oy) * side + ox) * 3
                out.replaceSubrange(dst..<(dst + width * 3), with: rgb[(y * width * 3)..<((y + 1) * width * 3)])
            }
            return (out, side, side)
        case .crop:
            let side = min(width, height)
            if side == width && side == height { return (rgb, width, height) }
            let ox = (width - side) / 2, oy = (height - side) / 2
            var out = [UInt8](); out.reserveCapacity(side * side * 3)
            for y in oy..<(oy + side) {
                let src = (y * width + ox) * 3
                out.append(contentsOf: rgb[src..<(src + side * 3)])
            }
            return (out, side, side)
        }
    }
}
