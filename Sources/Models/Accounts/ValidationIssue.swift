/// One failed validation rule: where (a JSON-pointer-like field such as `/password`), which
/// rule (a stable `code` for clients and tests) and a user-facing `message` naming the rule.
/// Handlers turn a list of these into the `errors` of a 422 problem.
public struct ValidationIssue: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The field, as a JSON pointer into the request body, e.g. `/password`.
    public var field: String
    /// A stable identifier of the rule, e.g. `password.too_short`.
    public var code: String
    /// A precise, user-facing sentence saying what the rule requires.
    public var message: String

    /// An issue from its parts.
    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
