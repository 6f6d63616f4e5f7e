import Foundation
import JobRuntime
import PostgresClient
import Quant

/// Runs, their trades and equity series in PostgreSQL. Every reading method takes the
/// caller's `owner`: an owner id, or nil for an admin (every run). Another user's run is the
/// same as none.
public final class RunStore: Sendable {
    let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// A run's status, read from one place: its job's while the run is live (a run retried
    /// after a failed attempt is `queued` again with its job), its own once it has ended (the
    /// run's end commits with the job's; a run whose job was pruned keeps its own).
    static let status = SQLFragment(
        """
        CASE WHEN runs.status IN ('queued', 'running') AND runs.job_id IS NOT NULL \
        THEN coalesce((SELECT jobs.status FROM jobs WHERE jobs.id = runs.job_id), runs.status) ELSE runs.status END
        """)

    /// The columns every run query selects (JSON-typed ones as text).
    static let selection =
        SQLFragment("id, owner_id, strategy_id, strategy_version, dataset_id, job_id, mode, ") + status
        + SQLFragment(
            """
             AS status, progress, message, \
            to_jsonb(symbols)::text AS symbols, start_time, end_time, snapshot::text AS snapshot, benchmark::text AS benchmark, \
            summary::text AS summary, metrics::text AS metrics, error, bars_processed, created_at, started_at, finished_at, updated_at
            """)

    /// Decodes a row of ``selection``.
    static func run(from row: Row) throws -> Run {
        func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T? {
            guard let text = try row.decodeIfPresent(column, as: String.self) else { return nil }
            do {
                return try StrategyStore.decoder.decode(T.self, from: Data(text.utf8))
            } catch {
                throw DatabaseError.decoding(column: column, reason: "is not the expected JSON")
            }
        }
        guard let mode = RunMode(rawValue: try row.decode("mode")) else { throw DatabaseError.decoding(column: "mode", reason: "unknown") }
        guard let status = JobStatus(rawValue: try row.decode("status")) else {
            throw DatabaseError.decoding(column: "status", reason: "unknown")
        }
        guard let snapshot = try json("snapshot", as: RunSnapshot.self) else { throw DatabaseError.decoding(column: "snapshot", reason: "is NULL") }
        return Run(
            id: try row.decode("id"), ownerId: try row.decode("owner_id"), strategyId: try row.decodeIfPresent("strategy_id"),
            strategyVersion: try row.decodeIfPresent("strategy_version"), datasetId: try row.decodeIfPresent("dataset_id"),
            jobId: try row.decodeIfPresent("job_id"), mode: mode, status: status, progress: try row.decode("progress"),
            message: try row.decodeIfPresent("message"), symbols: try json("symbols", as: [String].self) ?? [],
            start: try row.decodeIfPresent("start_time"), end: try row.decodeIfPresent("end_time"), snapshot: snapshot,
            benchmark: try json("benchmark", as: RunBenchmark.self), summary: try json("summary", as: RunSummary.self),
            metrics: try row.decodeIfPresent("metrics"), error: try row.decodeIfPresent("error"),
            barsProcessed: try row.decode("bars_processed"), createdAt: try row.decode("created_at"),
            startedAt: try row.decodeIfPresent("started_at"), finishedAt: try row.decodeIfPresent("finished_at"),
            updatedAt: try row.decode("updated_at"))
    }

    /// The run `id` in `scope` (an owner, or nil for every owner), or nil. The analysis routes
    /// load a run the caller may see with this, then its ``series(runID:)`` and
    /// ``trades(runID:limit:offset:)``.
    public func find(id: Int64, owner scope: Int64?) throws -> Run? {
        try database.query(
            """
            SELECT \(unsafeFragment: Self.selection) FROM runs WHERE id = \(id) AND (\(scope)::bigint IS NULL OR owner_id = \(scope))
            """
        ).first.map(Self.run(from:))
    }

    /// A page of runs in `scope`, newest first, optionally of one strategy and filtered by
    /// status and mode.
    public func list(owner scope: Int64?, strategyID: Int64?, status: JobStatus?, mode: RunMode?, limit: Int, offset: Int) throws -> (
        items: [Run], total: Int
    ) {
        let status = status?.rawValue
        let mode = mode?.rawValue
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: Self.selection), count(*) OVER () AS total FROM runs
            WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope)) AND (\(strategyID)::bigint IS NULL OR strategy_id = \(strategyID))
              AND (\(status)::text IS NULL OR \(unsafeFragment: Self.status) = \(status)) AND (\(mode)::text IS NULL OR mode = \(mode))
            ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)
            """)
        var total = try rows.first?.decode("total", as: Int.self) ?? 0
        if rows.isEmpty && offset > 0 {
            total =
                try database.query(
                    """
                    SELECT count(*)::bigint AS total FROM runs
                    WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope)) AND (\(strategyID)::bigint IS NULL OR strategy_id = \(strategyID))
                      AND (\(status)::text IS NULL OR \(unsafeFragment: Self.status) = \(status)) AND (\(mode)::text IS NULL OR mode = \(mode))
                    """
                ).first?.decode("total") ?? 0
        }
        return (try rows.map(Self.run(from:)), total)
    }

    /// The queued or running runs of strategy `id`, oldest first.
    public func liveRuns(strategyID id: Int64) throws -> [Run] {
        try database.query(
            """
            SELECT \(unsafeFragment: Self.selection) FROM runs WHERE strategy_id = \(id) AND status IN ('queued', 'running') ORDER BY id
            """
        ).map(Self.run(from:))
    }

    /// Deletes run `id` in `scope` with its results; ``RunError/live`` while it is queued or
    /// running (stop it first), ``RunError/notFound`` when there is none.
    public func delete(id: Int64, owner scope: Int64?) throws {
        let count = try database.execute(
            """
            DELETE FROM runs WHERE id = \(id) AND (\(scope)::bigint IS NULL OR owner_id = \(scope)) AND status NOT IN ('queued', 'running')
            """)
        guard count == 0 else { return }
        guard try find(id: id, owner: scope) != nil else { throw RunError.notFound }
        throw RunError.live
    }
}
