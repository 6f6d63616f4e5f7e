/// Email addresses, checked pragmatically rather than by the full RFC 5321 grammar: one `@`;
/// a local part of 1 to 64 characters from the dot-atom set; a domain of at least two
/// dot-separated labels, each 1 to 63 of `A–Z a–z 0–9 -` not starting or ending with `-`;
/// at most 254 characters in all. Stored and compared lower-cased.
public enum EmailPolicy {
    /// The longest accepted address (RFC 5321's path limit less the angle brackets).
    public static let maximumLength = 254
    /// The longest accepted local part (RFC 5321 §4.5.3.1.1).
    public static let maximumLocalLength = 64
    /// The longest accepted domain label (RFC 1035).
    public static let maximumLabelLength = 63

    /// The form to store and compare: lower-cased.
    public static func normalized(_ email: String) -> String {
        email.lowercased()
    }

    /// Every rule `email` breaks, reported under `field`.
    public static func validate(_ email: String, field: String = "/email") -> [ValidationIssue] {
        func issue(_ code: String, _ message: String) -> ValidationIssue {
            ValidationIssue(field: field, code: "email.\(code)", message: message)
        }
        guard !email.isEmpty else { return [issue("required", "Email address is required.")] }
        var issues: [ValidationIssue] = []
        if email.unicodeScalars.count > maximumLength {
            issues.append(issue("too_long", "Email address must be at most \(maximumLength) characters long."))
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            issues.append(issue("at_sign", "Email address must contain exactly one '@'."))
            return issues
        }
        let local = parts[0]
        let domain = parts[1]
        if local.isEmpty {
            issues.append(issue("local_empty", "Email address needs a name before the '@'."))
        } else {
            if local.unicodeScalars.count > maximumLocalLength {
                issues.append(
                    issue(
                        "local_too_long",
                        "The part of the email address before the '@' must be at most \(maximumLocalLength) characters long."))
            }
            if !isDotAtom(local) {
                issues.append(
                    issue(
                        "local_characters",
                        "The part of the email address before the '@' may contain only letters A–Z, digits and !#$%&'*+/=?^_`{|}~.- and must not start or end with a dot or contain two dots in a row."
                    ))
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 {
            issues.append(issue("domain_dot", "The domain of the email address must contain a dot, as in example.com."))
        } else if !labels.allSatisfy(isValidLabel) {
            issues.append(
                issue(
                    "domain_labels",
                    "Each part of the email domain between dots must be 1 to \(maximumLabelLength) letters A–Z, digits or hyphens, and must not start or end with a hyphen."
                ))
        }
        return issues
    }

    private static func isDotAtom(_ local: Substring) -> Bool {
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in
            !atom.isEmpty
                && atom.unicodeScalars.allSatisfy { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9": true
                    default: "!#$%&'*+/=?^_`{|}~-".unicodeScalars.contains(scalar)
                    }
                }
        }
    }

    private static func isValidLabel(_ label: Substring) -> Bool {
        guard (1...maximumLabelLength).contains(label.unicodeScalars.count),
            label.first != "-", label.last != "-"
        else { return false }
        return label.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-": true
            default: false
            }
        }
    }
}
