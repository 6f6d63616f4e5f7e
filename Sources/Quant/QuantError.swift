/// Errors thrown by the analytics functions on input they cannot use.
public enum QuantError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value is NaN or infinite.
    case nonFinite(what: String, index: Int)
    /// Two columns that must have the same length do not.
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// A numeric argument is outside its valid range.
    case invalidArgument(name: String, reason: String)
    /// There is not enough data for the computation.
    case insufficientData(what: String, required: Int, actual: Int)

    /// A message fit for a user.
    public var description: String {
        switch self {
        case .nonFinite(let what, let index):
            return "\(what) has a non-finite value (NaN or infinity) at index \(index)."
        case .lengthMismatch(let what, let expected, let actual):
            return "\(what) has \(actual) values; expected \(expected)."
        case .invalidArgument(let name, let reason):
            return "\(name) \(reason)."
        case .insufficientData(let what, let required, let actual):
            return "\(what) needs at least \(required) values; got \(actual)."
        }
    }
}

/// Shared argument checks.
enum Validation {
    /// Throws `QuantError.nonFinite` at the first NaN or infinity.
    static func requireFinite(_ values: [Double], name: String) throws(QuantError) {
        if values.withUnsafeBufferPointer(allFinite) { return }
        for i in values.indices where !values[i].isFinite {
            throw .nonFinite(what: name, index: i)
        }
    }

    /// Whether every value is finite: one branch-free pass in four lanes (|x| ≤ max finite is
    /// false for NaN and ±∞).
    static func allFinite(_ x: UnsafeBufferPointer<Double>) -> Bool {
        let limit = SIMD4<Double>(repeating: .greatestFiniteMagnitude)
        var finite = SIMDMask<SIMD4<Int64>>(repeating: true)
        let n = x.count
        var i = 0
        while i + 4 <= n {
            let v = Statistics.load4(x, i)
            finite = finite .& (v .<= limit) .& (v .>= -limit)
            i += 4
        }
        var ok = all(finite)
        while i < n {
            ok = ok && x[i].isFinite
            i += 1
        }
        return ok
    }

    /// Throws unless `window` is at least `minimum`.
    static func requireWindow(_ window: Int, name: String = "window", minimum: Int = 1) throws(QuantError) {
        guard window >= minimum else {
            throw .invalidArgument(name: name, reason: "must be at least \(minimum), got \(window)")
        }
    }
}
