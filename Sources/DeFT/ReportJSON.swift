import Foundation

/// JSON for reports and records, sorted so they diff cleanly. JSON has no NaN or infinity: one in a
/// report is an error naming the value and where it sits (Foundation would say only
/// "NSCocoaErrorDomain Code=3840"), raised before anything is written.
public enum ReportJSON {
    /// An Encodable value as JSON; `source` (the file or option written to) names it in errors.
    public static func encode<T: Encodable>(_ value: T, source: String, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        do { return try encoder.encode(value) } catch EncodingError.invalidValue(let v, let ctx) {
            throw DeFTError(source, "cannot write \(v) at '\(location(ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }))' into JSON: only finite numbers fit")
        } catch {
            throw DeFTError(source, "cannot encode the report: \(error.localizedDescription)")
        }
    }

    /// A JSONSerialization object (dictionaries, arrays, strings, numbers) as JSON, same check.
    public static func data(_ object: Any, source: String, pretty: Bool = false) throws -> Data {
        if let (value, path) = firstNonFinite(object, path: []) {
            throw DeFTError(source, "cannot write \(value) at '\(location(path))' into JSON: only finite numbers fit")
        }
        do { return try JSONSerialization.data(withJSONObject: object, options: pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]) } catch {
            throw DeFTError(source, "cannot encode the report: \(error.localizedDescription)")
        }
    }

    /// "scores[0][3]" from ["scores", "[0]", "[3]"].
    static func location(_ parts: [String]) -> String {
        parts.reduce("") { s, p in p.hasPrefix("[") || s.isEmpty ? s + p : s + "." + p }
    }

    static func firstNonFinite(_ v: Any, path: [String]) -> (Double, [String])? {
        switch v {
        case let d as [String: Any]:
            for k in d.keys.sorted() { if let hit = firstNonFinite(d[k]!, path: path + [k]) { return hit } }
        case let a as [Any]:
            for (i, e) in a.enumerated() { if let hit = firstNonFinite(e, path: path + ["[\(i)]"]) { return hit } }
        case let x as Double where !x.isFinite: return (x, path)
        case let x as Float where !x.isFinite: return (Double(x), path)
        default: break
        }
        return nil
    }
}
