import Foundation

/// Numbers from `JSONSerialization`, read as numbers.
///
/// On Linux, Foundation answers `is Bool` (and `as? Bool`) with true for any NSNumber equal to 0 or 1,
/// so a check like `v as? Int, !(v is Bool)` refuses `"label": 1`, and `as? Int` alone accepts `true`.
/// A JSON true/false comes back as a CFBoolean whose type code is "c"; numbers never do.
public enum JSONNumber {
    public static func isBool(_ v: Any) -> Bool {
        guard let n = v as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// A whole number (also 3.0), or nil for anything else: a bool, a fraction, a string, or a value
    /// beyond Int (or beyond what a double holds exactly).
    public static func integer(_ v: Any) -> Int? {
        guard !isBool(v), let n = v as? NSNumber else { return nil }
        switch String(cString: n.objCType) {
        case "d", "f":
            let d = n.doubleValue
            guard d.rounded() == d, d.magnitude < 0x1p53 else { return nil }
            return Int(d)
        case "Q", "L", "I", "S", "C":
            return n.uint64Value <= UInt64(Int.max) ? Int(n.uint64Value) : nil
        default:
            return Int(exactly: n.int64Value)
        }
    }

    /// Any finite number (not a bool).
    public static func double(_ v: Any) -> Double? {
        guard !isBool(v), let n = v as? NSNumber, n.doubleValue.isFinite else { return nil }
        return n.doubleValue
    }

    /// An array of whole numbers, or nil if anything in it is not one.
    public static func integers(_ v: Any) -> [Int]? {
        guard let a = v as? [Any] else { return nil }
        let r = a.compactMap(integer)
        return r.count == a.count ? r : nil
    }
}
