import Models

/// The optional display name: trimmed, at most 200 code points, no control characters. An
/// empty name is stored as none at registration and clears the name in `PATCH /auth/me`.
enum FullName {
    static let rules = TextField(field: "/full_name", label: "Full name", code: "full_name", lengths: 0...200)

    static func validate(_ value: String?, issues: inout [ValidationIssue]) -> String? {
        value.map { rules.normalize($0, issues: &issues) }
    }
}
