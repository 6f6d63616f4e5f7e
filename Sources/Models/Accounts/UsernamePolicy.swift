/// Usernames: 3 to 50 characters of `A–Z a–z 0–9 _ . -`, compared and stored lower-cased.
public enum UsernamePolicy {
    /// The shortest accepted username.
    public static let minimumLength = 3
    /// The longest accepted username.
    public static let maximumLength = 50

    /// The form to store and compare: lower-cased.
    public static func normalized(_ username: String) -> String {
        username.lowercased()
    }

    /// Every rule `username` breaks, reported under `field`.
    public static func validate(_ username: String, field: String = "/username") -> [ValidationIssue] {
        guard !username.isEmpty else {
            return [ValidationIssue(field: field, code: "username.required", message: "Username is required.")]
        }
        var issues: [ValidationIssue] = []
        if !(minimumLength...maximumLength).contains(username.count) {
            issues.append(
                ValidationIssue(
                    field: field, code: "username.length",
                    message: "Username must be \(minimumLength) to \(maximumLength) characters long."))
        }
        if !username.unicodeScalars.allSatisfy(isAllowed) {
            issues.append(
                ValidationIssue(
                    field: field, code: "username.characters",
                    message: "Username may contain only letters A–Z, digits 0–9, '_', '.' and '-'."))
        }
        return issues
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }
}
