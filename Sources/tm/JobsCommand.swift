import ArgumentParser
import Foundation
import JobRuntime
import Models
import PostgresClient
import Support

/// `tm jobs`: inspect and manage the job queue from the command line.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, inspect, enqueue and cancel jobs.",
        subcommands: [List.self, Show.self, Enqueue.self, Cancel.self])

    /// The queue of the configured database.
    static func queue() -> JobQueue {
        JobQueue(database: Database(url: Startup.settings().databaseURL))
    }

    /// Runs `body`, turning a database error into a message and exit code 1.
    static func guarded(_ name: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as DatabaseError {
            FileHandle.standardError.write(Data("tm jobs \(name): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `tm jobs list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List jobs, newest first: id, status, kind, owner, attempts, progress, created.")

        @Option(help: "Only this status: queued, running, succeeded, failed or cancelled.")
        var status: String?

        @Option(help: "Only this kind.")
        var kind: String?

        @Option(help: "Only this user's jobs (user id).")
        var owner: Int64?

        @Option(help: "At most this many (1...1000).")
        var limit: Int = 20

        func validate() throws {
            if let status, JobStatus(rawValue: status) == nil {
                throw ValidationError("--status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be in 1...1000") }
        }

        func run() throws {
            try JobsCommand.guarded("list") {
                let (jobs, total) = try JobsCommand.queue().list(
                    owner: owner, status: status.flatMap(JobStatus.init(rawValue:)),
                    kind: kind, limit: limit, offset: 0)
                print("ID        STATUS     KIND                 OWNER   ATTEMPTS  PROGRESS  CREATED")
                for job in jobs {
                    let owner = job.ownerID.map(String.init) ?? "-"
                    print(
                        [
                            pad(String(job.id), 9), pad(job.status.rawValue, 10), pad(job.kind, 20), pad(owner, 7),
                            pad("\(job.attempts)/\(job.maxAttempts)", 9), pad(String(format: "%.0f%%", job.progress * 100), 9),
                            job.createdAt.sqlText,
                        ].joined(separator: " "))
                }
                print("\(jobs.count) of \(total)")
            }
        }

        private func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
    }

    /// `tm jobs show ID`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one job as JSON (payload, progress, result or error).")

        @Argument(help: "The job id.")
        var id: Int64

        func run() throws {
            try JobsCommand.guarded("show") {
                guard let job = try JobsCommand.queue().find(id: id, owner: nil) else {
                    FileHandle.standardError.write(Data("tm jobs show: no job \(id)\n".utf8))
                    throw ExitCode(1)
                }
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(job), as: UTF8.self))
            }
        }
    }

    /// `tm jobs enqueue KIND`.
    struct Enqueue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enqueue jobs (one transaction) and print their ids, one a line.",
            discussion: "Example: tm jobs enqueue diag.sleep --payload '{\"ms\": 2000}' (diag.* kinds run only on workers with TM_DIAGNOSTICS=true).")

        @Argument(help: "The job kind.")
        var kind: String

        @Option(help: "The payload, a JSON object.")
        var payload: String = "{}"

        @Option(help: "The owning user's id (none: a system job).")
        var owner: Int64?

        @Option(help: "Lower runs first.")
        var priority: Int = 0

        @Option(help: "Attempts before the job fails for good (1...100).")
        var maxAttempts: Int = 3

        @Option(help: "How many identical jobs (1...100000).")
        var count: Int = 1

        func validate() throws {
            guard case .object? = JSONDocument(json: payload) else { throw ValidationError("--payload must be a JSON object") }
            guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be in 1...100") }
            guard (1...100_000).contains(count) else { throw ValidationError("--count must be in 1...100000") }
            guard (-32768...32767).contains(priority) else { throw ValidationError("--priority must fit a smallint") }
            guard (1...100).contains(kind.count) else { throw ValidationError("the kind must be 1...100 characters") }
        }

        func run() throws {
            try JobsCommand.guarded("enqueue") {
                let draft = JobQueue.Draft(
                    kind: kind, payload: JSONDocument(json: payload) ?? .object([:]), ownerID: owner,
                    priority: priority, maxAttempts: maxAttempts)
                let jobs = try JobsCommand.queue().enqueue(draft, count: count)
                print(jobs.map { String($0.id) }.joined(separator: "\n"))
            }
        }
    }

    /// `tm jobs cancel ID`.
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a job: a queued one at once, a running one at its next progress report.")

        @Argument(help: "The job id.")
        var id: Int64

        func run() throws {
            try JobsCommand.guarded("cancel") {
                switch try JobsCommand.queue().cancel(id: id, owner: nil) {
                case .cancelled: print("job \(id) cancelled")
                case .requested: print("job \(id) is running: cancel requested")
                case .finished(let job):
                    FileHandle.standardError.write(Data("tm jobs cancel: job \(id) already \(job.status.rawValue)\n".utf8))
                    throw ExitCode(1)
                case .notFound:
                    FileHandle.standardError.write(Data("tm jobs cancel: no job \(id)\n".utf8))
                    throw ExitCode(1)
                }
            }
        }
    }
}
