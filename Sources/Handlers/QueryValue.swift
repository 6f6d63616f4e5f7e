import Models
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
    static func choice<T: RawRepresentable & CaseIterable>(
        _ query: [String: String], _ name: String, _ type: T.Type,
        errors: inout [FieldError]
    ) -> T? where T.RawValue == String {
        guard let text = query[name] else { return nil }
        if let value = T(rawValue: text) { return value }
        errors.append(
            FieldError(
                pointer: name,
                detail: "unknown value \"\(text.prefix(100))\"; one of "
                    + T.allCases.map(\.rawValue).joined(separator: ", ")))
        return nil
    }

    /// `query[name]` normalized by the text rules of ``TextField`` (`lengths` code points, one
    /// line); nil when absent, and errors under the parameter's name when it breaks them.
    static func text(_ query: [String: String], _ name: String, _ lengths: ClosedRange<Int>, errors: inout [FieldError]) -> String? {
        guard let text = query[name] else { return nil }
        var issues: [ValidationIssue] = []
        let value = TextField(field: name, label: name, code: name, lengths: lengths).normalize(text, issues: &issues)
        errors += issues.map { FieldError(pointer: $0.field, detail: $0.message) }
        return value
    }

    /// Throws the one 422 of a query whose parameters `errors` names (nothing when it is empty).
    static func check(_ errors: [FieldError]) throws {
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The query has invalid parameters.") }
    }
}
