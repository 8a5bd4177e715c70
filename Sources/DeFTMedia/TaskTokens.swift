import DeFT
import Foundation

/// A task split's images encoded once and cached as float16 outside the repository:
/// `$DEFT_CACHE/tokens`, else `$XDG_CACHE_HOME/deft/tokens`, else `~/.cache/deft/tokens`. The file name
/// carries the task, split, image range, encoder and a hash of the generator's parameters, so a change
/// to any of them encodes afresh instead of reading stale tokens.
public enum TaskTokens {
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DEFT_CACHE"], !dir.isEmpty { return (dir as NSString).appendingPathComponent("tokens") }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return ((base as NSString).appendingPathComponent("deft") as NSString).appendingPathComponent("tokens")
    }

    public static func cachePath(scenes: FashionScenes, split: FashionMNIST.Split, range: Range<Int>, encoder: VisualEncoder,
                                 directory: String) -> String {
        let slug = String(encoder.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a over the parameters and the encoder's name
        for b in Array("\(scenes.parameters)|\(encoder.name)|\(encoder.grid.height)x\(encoder.grid.width)".utf8) {
            hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3
        }
        let name = "\(scenes.task.rawValue)-\(split.rawValue)-\(range.lowerBound)-\(range.upperBound)-\(slug.prefix(40))-\(String(hash, radix: 16)).tokens"
        return (directory as NSString).appendingPathComponent(name)
    }

    /// Images per cache file: an interrupted encoding resumes from the last whole shard, and a split
    /// shares its shards with any other range over the same images (`--quick`'s 1 000 are the full
    /// run's first shard).
    public static let shard = 1000

    /// The tokens of scenes `range` of the split: shard by shard from the cache, or generated, encoded
    /// in chunks and cached. `progress(done, total, encoded)` after each chunk and each cached shard:
    /// `encoded` counts only the images encoded in this call, so a rate is not inflated by cache reads.
    public static func load(scenes: FashionScenes, split: FashionMNIST.Split, range: Range<Int>, encoder: VisualEncoder,
                            directory: String = cacheDirectory(), chunk: Int = 32,
                            progress: ((_ done: Int, _ total: Int, _ encoded: Int) -> Void)? = nil) throws -> TokenStore {
        guard range.upperBound <= scenes.items.images.count else {
            throw DeFTError("Fashion-MNIST \(split.rawValue)", "has \(scenes.items.images.count) images, \(range.upperBound) were asked for")
        }
        guard !range.isEmpty else { throw DeFTError("Fashion-MNIST \(split.rawValue)", "no images asked for") }
        var parts: [TokenStore] = [], done = 0, encoded = 0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min((start / shard + 1) * shard, range.upperBound)
            let (offset, encodedBefore) = (done, encoded)
            var encodedHere = 0
            parts.append(try loadShard(scenes: scenes, split: split, range: start..<end, encoder: encoder, directory: directory,
                                       chunk: chunk) { encodedHere = $0; progress?(offset + $0, range.count, encodedBefore + $0) })
            done += end - start
            encoded += encodedHere
            progress?(done, range.count, encoded)
            start = end
        }
        return parts.count == 1 ? parts[0] : TokenStore(concatenating: parts)
    }

    static func loadShard(scenes: FashionScenes, split: FashionMNIST.Split, range: Range<Int>, encoder: VisualEncoder,
                          directory: String, chunk: Int, progress: (Int) -> Void) throws -> TokenStore {
        let path = cachePath(scenes: scenes, split: split, range: range, encoder: encoder, directory: directory)
        if FileManager.default.fileExists(atPath: path) {
            let store = try TokenStore.load(path: path)
            guard store.count == range.count, store.tokens == encoder.grid.height * encoder.grid.width, store.width == encoder.tokenDim else {
                throw DeFTError(path, "the cached tokens (\(store.count)×\(store.tokens)×\(store.width)) do not fit this run; delete the file")
            }
            return store
        }
        let n = encoder.grid.height * encoder.grid.width
        var parts: [TokenStore] = []
        var done = 0
        for start in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
            let ids = Array(start..<min(start + chunk, range.upperBound))
            let scenesHere = ids.map { scenes.scene($0) }
            let out = try encoder.encode(scenesHere.map(\.image))
            guard out.count == ids.count else { throw DeFTError(encoder.name, "returned \(out.count) outputs for \(ids.count) images") }
            for o in out {
                guard o.tokens.rows == n, o.tokens.cols == encoder.tokenDim else {
                    throw DeFTError(encoder.name, "returned \(o.tokens.rows)×\(o.tokens.cols) tokens, expected \(n)×\(encoder.tokenDim)")
                }
            }
            let attention = out.allSatisfy { $0.clsAttention?.count == n } ? out.map { $0.clsAttention! } : nil
            // Halved chunk by chunk: a split never sits in memory as float32.
            parts.append(TokenStore(tokens: n, width: encoder.tokenDim, inputs: out.map(\.tokens), labels: scenesHere.map(\.label),
                                    attention: attention, encoder: encoder.name))
            done += ids.count
            progress(done)
        }
        let store = TokenStore(concatenating: parts)
        try store.write(to: path)
        return store
    }
}
