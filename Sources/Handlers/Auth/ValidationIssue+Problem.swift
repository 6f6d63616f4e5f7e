import Models
import TMFcgi

extension Array where Element == ValidationIssue {
    /// The 422 problem listing these issues, or nothing when there are none.
    func throwIfAny() throws {
        guard !isEmpty else { return }
        throw Problem.validation(map { FieldError(pointer: $0.field, detail: $0.message) })
    }
}
