/// A user's role. Stored and sent as its raw value.
public enum Role: String, CaseIterable, Codable, Sendable {
    /// Everything, including managing users.
    case admin
    /// Reads, creates and runs.
    case user
    /// Reads (analysis of existing results).
    case analyst
    /// Reads only.
    case viewer

    /// The permission table: the one place that says which role may do what.
    public var permissions: Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .user: [.read, .create, .run]
        case .analyst: [.read]
        case .viewer: [.read]
        }
    }

    /// Whether this role grants `permission`.
    public func allows(_ permission: Permission) -> Bool {
        permissions.contains(permission)
    }
}
