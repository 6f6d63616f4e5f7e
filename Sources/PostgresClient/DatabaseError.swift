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

    /// What a rejected statement says about the data it was given, from its SQLSTATE; `nil`
    /// for every other failure (a server fault, not the client's data).
    public var violation: Violation? {
        guard case .query(let state, _, _) = self else { return nil }
        switch state {
        case "23505": return .unique
        case "23503": return .foreignKey
        case "23514": return .valueOutOfRange
        case _ where state.hasPrefix("22"): return .valueOutOfRange  // class 22: data exceptions
        default: return nil
        }
    }

    /// The meanings of the SQLSTATEs that name a fault in the data rather than the server.
    public enum Violation: Sendable, Equatable {
        /// A unique constraint (`23505`).
        case unique
        /// A foreign key (`23503`).
        case foreignKey
        /// A CHECK constraint (`23514`) or a data exception (class `22`: a value too long,
        /// out of range, not representable).
        case valueOutOfRange
    }

    /// Whether the server cancelled the statement (SQLSTATE 57014): the session's
    /// `statement_timeout` ran out (or an operator cancelled it).
    public var isStatementTimeout: Bool {
        if case .query("57014", _, _) = self { return true }
        return false
    }

    /// Whether the statement violated a unique constraint.
    public var isUniqueViolation: Bool { violation == .unique }

    /// Whether the statement violated a foreign key.
    public var isForeignKeyViolation: Bool { violation == .foreignKey }
}
