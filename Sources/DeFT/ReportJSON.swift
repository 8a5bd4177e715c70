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

    /// "scores[0][3]" from ["scores", "[0]", "[3]"].
    static func location(_ parts: [String]) -> String {
        parts.reduce("") { s, p in p.hasPrefix("[") || s.isEmpty ? s + p : s + "." + p }
    }
}
