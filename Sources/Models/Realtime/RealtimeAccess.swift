/// Who may subscribe to which channel: a user to their own user channel, runs and jobs; an
/// admin to any (as admins see every run and job through the API).
public struct RealtimeAccess: Sendable {
    /// Where runs and jobs are.
    public let database: Database

    /// Access checks against `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Whether `user` (an admin when `admin`) may subscribe to `channel`. Training channels
    /// are not checked yet (their table comes with the training work): never allowed.
    public func allows(_ channel: RealtimeChannel, user: Int64, admin: Bool) throws -> Bool {
        let owner: Int64? = admin ? nil : user
        switch channel.kind {
        case .user:
            return admin || channel.id == user
        case .run:
            return try !database.query("""
                SELECT id FROM runs WHERE id = \(channel.id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
                """).isEmpty
        case .job:
            return try !database.query("""
                SELECT id FROM jobs WHERE id = \(channel.id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
                """).isEmpty
        case .training:
            return false
        }
    }
}
