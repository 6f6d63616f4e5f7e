/// What the queue holds, for the metrics endpoint (read at scrape time).
extension JobQueue {
    /// Jobs by kind and status, and the runnable backlog.
    public struct Statistics: Sendable {
        /// Count per (kind, status).
        public var counts: [(kind: String, status: String, count: Int)]
        /// Queued jobs whose `run_after` has passed.
        public var runnable: Int
        /// Seconds the oldest of those has waited since it became runnable (0 when none).
        public var oldestRunnableAge: Double
    }

    /// The queue's statistics now.
    public func statistics() throws -> Statistics {
        let counts = try database.query("SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status ORDER BY kind, status")
            .map {
                (
                    kind: try $0.decode("kind", as: String.self), status: try $0.decode("status", as: String.self),
                    count: try $0.decode("n", as: Int.self)
                )
            }
        let backlog = try database.query(
            """
            SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(run_after)), 0)::float8 AS age
            FROM jobs WHERE status = 'queued' AND run_after <= now()
            """)[0]
        return Statistics(counts: counts, runnable: try backlog.decode("n"), oldestRunnableAge: try backlog.decode("age"))
    }
}
