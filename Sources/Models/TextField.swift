/// The one normalisation of free text that users type (names, labels, search terms): trimmed
/// of surrounding white space, measured in Unicode code points as PostgreSQL's `length()`
/// counts them (not in Swift characters: 'a' plus 200 combining accents is one character and
/// 201 code points), and free of control characters.
public struct TextField: Sendable {
    /// The JSON pointer (or query parameter name) that issues name.
    public var field: String
    /// The label used in messages ("Full name").
    public var label: String
    /// The stable code prefix of issues ("full_name").
    public var code: String
    /// Accepted lengths in code points, after trimming.
    public var lengths: ClosedRange<Int>

    /// A field's rules.
    public init(field: String, label: String, code: String, lengths: ClosedRange<Int>) {
        self.field = field
        self.label = label
        self.code = code
        self.lengths = lengths
    }

    /// `value` trimmed of white space and newlines at both ends.
    public static func trimmed(_ value: some StringProtocol) -> String {
        let scalars = value.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[first...last])
        return String(text)
    }

    /// The length PostgreSQL's `length()` and `char_length()` give for `value`.
    public static func length(_ value: some StringProtocol) -> Int { value.unicodeScalars.count }

    /// `value` trimmed, with an issue appended for each rule it breaks: its length, or any
    /// control character (tabs and newlines included: these are single-line fields).
    public func normalize(_ value: String, issues: inout [ValidationIssue]) -> String {
        let text = Self.trimmed(value)
        let length = Self.length(text)
        if !lengths.contains(length) {
            let message =
                lengths.lowerBound == 0
                ? "\(label) must be at most \(lengths.upperBound) characters long."
                : "\(label) must be \(lengths.lowerBound) to \(lengths.upperBound) characters long."
            issues.append(ValidationIssue(field: field, code: "\(code).length", message: message))
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            issues.append(ValidationIssue(field: field, code: "\(code).characters", message: "\(label) must not contain control characters."))
        }
        return text
    }
}
