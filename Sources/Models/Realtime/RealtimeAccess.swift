import PostgresClient
import Realtime

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
        let table: SQLFragment
        switch channel.kind {
        case .user: return admin || channel.id == user
        case .run: table = SQLFragment("runs")
        case .job: table = SQLFragment("jobs")
        case .training: table = SQLFragment("training_jobs")
        }
        return try !database.query(
            """
            SELECT id FROM \(unsafeFragment: table) WHERE id = \(channel.id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
            """
        ).isEmpty
    }
}
