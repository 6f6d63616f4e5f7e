import Foundation
import Models

/// The optional display name: trimmed, at most 200 characters, no control characters. An
/// empty name is stored as none at registration and clears the name in `PATCH /auth/me`.
enum FullName {
    static let maximumLength = 200

    static func validate(_ value: String?, field: String = "/full_name", issues: inout [ValidationIssue]) throws -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count > maximumLength {
            issues.append(ValidationIssue(field: field, code: "full_name.too_long", message: "Full name must be at most \(maximumLength) characters long."))
        }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            issues.append(ValidationIssue(field: field, code: "full_name.characters", message: "Full name must not contain control characters."))
        }
        return trimmed
    }
}
