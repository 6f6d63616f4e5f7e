import TMFcgi

/// Typed reading of query parameters, each failure appended to the caller's `errors` under the
/// parameter's name (so a route reports every bad parameter in one 422): the one place that
/// words these rules.
enum QueryValue {
    /// `query[name]` as an integer in `range`; nil when absent or invalid (then an error).
    static func integer(_ query: [String: String], _ name: String, _ range: ClosedRange<Int>, errors: inout [FieldError]) -> Int? {
        guard let text = query[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            errors.append(FieldError(pointer: name, detail: "must be an integer in \(range.lowerBound)...\(range.upperBound)"))
            return nil
        }
        return value
    }

    /// The value of `name` in `query` as one of `T`'s cases; nil when absent, and a 422 error
    /// naming the parameter and the allowed values when it is none of them.
    static func choice<T: RawRepresentable & CaseIterable>(_ query: [String: String], _ name: String, _ type: T.Type,
                                                          errors: inout [FieldError]) -> T? where T.RawValue == String {
        guard let text = query[name] else { return nil }
        if let value = T(rawValue: text) { return value }
        errors.append(FieldError(pointer: name, detail: "unknown value \"\(text.prefix(100))\"; one of "
                                 + T.allCases.map(\.rawValue).joined(separator: ", ")))
        return nil
    }
}
