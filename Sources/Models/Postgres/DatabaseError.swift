/// Failures of the data layer, without HTTP: `Handlers` maps them to problems.
public enum DatabaseError: Error, CustomStringConvertible, Sendable {
    /// PostgreSQL cannot be reached; the request should be retried later (503).
    case unavailable(String)
    /// The server rejected a statement; `sqlState` says why (`23505` unique violation…).
    case query(sqlState: String, message: String, constraint: String?)
    /// A column is missing, NULL where a value was required, or does not parse as the type.
    case decoding(column: String, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let message): return "database unavailable: \(message)"
        case .query(let state, let message, let constraint):
            return "query failed (\(state)\(constraint.map { ", \($0)" } ?? "")): \(message)"
        case .decoding(let column, let reason): return "column \(column): \(reason)"
        }
    }

    /// Whether the statement violated a unique constraint.
    public var isUniqueViolation: Bool {
        if case .query("23505", _, _) = self { return true }
        return false
    }

    /// Whether the statement violated a foreign key.
    public var isForeignKeyViolation: Bool {
        if case .query("23503", _, _) = self { return true }
        return false
    }
}
