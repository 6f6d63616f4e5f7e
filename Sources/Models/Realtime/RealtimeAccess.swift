/// Who may subscribe to which channel: a user to their own user channel, runs, jobs and
/// trainings; an admin to any (as admins see every run, job and training through the API).
public struct RealtimeAccess: Sendable {
    /// Where runs and jobs are.
    public let database: Database

    /// Access checks against `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Whether `user` (an admin when `admin`) may subscribe to `channel`.
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
            return try !database.query("""
                SELECT id FROM training_jobs WHERE id = \(channel.id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
                """).isEmpty
        }
    }
}
