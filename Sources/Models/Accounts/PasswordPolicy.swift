/// Passwords: 8 to 128 characters (user-perceived characters, not bytes) with an upper-case
/// letter, a lower-case letter and a digit; not the username and not a common password, both
/// compared case-insensitively.
public enum PasswordPolicy {
    /// The shortest accepted password, in characters.
    public static let minimumLength = 8
    /// The longest accepted password, in characters.
    public static let maximumLength = 128
    /// The most UTF-8 bytes accepted, so a few characters with endless combining marks cannot
    /// make the hasher's input large.
    public static let maximumByteCount = 1024

    /// Every rule `password` breaks, reported under `field`. `username` (as entered or
    /// normalised) is the account's, when known.
    public static func validate(_ password: String, username: String? = nil, field: String = "/password") -> [ValidationIssue] {
        func issue(_ code: String, _ message: String) -> ValidationIssue {
            ValidationIssue(field: field, code: "password.\(code)", message: message)
        }
        var issues: [ValidationIssue] = []
        let length = password.count
        if length < minimumLength {
            issues.append(issue("too_short", "Password must be at least \(minimumLength) characters long."))
        } else if length > maximumLength {
            issues.append(issue("too_long", "Password must be at most \(maximumLength) characters long."))
        } else if password.utf8.count > maximumByteCount {
            issues.append(issue("too_many_bytes", "Password must be at most \(maximumByteCount) bytes long in UTF-8."))
        }
        if !password.contains(where: \.isUppercase) {
            issues.append(issue("uppercase", "Password must contain at least one upper-case letter."))
        }
        if !password.contains(where: \.isLowercase) {
            issues.append(issue("lowercase", "Password must contain at least one lower-case letter."))
        }
        if !password.contains(where: \.isWholeNumber) {
            issues.append(issue("digit", "Password must contain at least one digit."))
        }
        if let username, !username.isEmpty, password.lowercased() == username.lowercased() {
            issues.append(issue("equals_username", "Password must not be the same as the username."))
        }
        if CommonPasswords.contains(password) {
            issues.append(issue("common", "Password is too common; choose one that is harder to guess."))
        }
        return issues
    }
}
