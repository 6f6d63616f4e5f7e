import CCrashRecord
import Foundation

/// The crash records of the `tm worker` processes of one host, in one directory
/// (`TM_JOB_CRASH_DIR`). A worker installs handlers for the fatal signals (a Swift trap is
/// SIGILL on x86_64, SIGTRAP on arm64; SIGSEGV, SIGBUS, SIGFPE, SIGABRT) that append
/// `worker=<id> job=<id> signal=<n>` to its own file, `<id>.crash`, when the thread that got
/// the signal was running a job (each job thread notes its job with ``enter(job:)``). A
/// signal cannot be attributed otherwise: the process runs several jobs at once, and only
/// the thread that trapped knows which one it was. Any worker of the host reads the records
/// of processes that are gone (``collect(excluding:)``) and ends their jobs
/// (``JobQueue/recoverCrash(worker:culprits:maxCrashes:backoff:)``).
public struct CrashRecords: Sendable {
    /// The directory.
    public let directory: String

    /// Records in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// Creates the directory (0700) if needed and installs the signal handlers of worker
    /// `workerID` in this process. False when the directory is not usable: crashes then
    /// end as before, by lease expiry (every job of the worker charged).
    public func install(workerID: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard access(directory, W_OK) == 0 else { return false }
        return tm_crash_record_install(path(of: workerID), "worker=\(workerID) ") == 0
    }

    /// Notes that this thread now runs job `id` (nil: none), for the signal handler.
    public static func enter(job id: Int64?) {
        tm_crash_record_enter(id ?? 0)
    }

    /// One dead worker's record.
    public struct Record: Sendable, Equatable {
        /// The file.
        public var path: String
        /// The worker's id (its lease owner name).
        public var workerID: String
        /// The jobs whose thread got a fatal signal, with the signal.
        public var culprits: [Int64: Int32]
    }

    /// The records of workers that are gone (no process with their pid, a zombie, or our own
    /// pid under another worker id: a restarted container), `excluding` our own id.
    public func collect(excluding own: String) -> [Record] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var records: [Record] = []
        for name in names where name.hasSuffix(".crash") {
            let file = directory + "/" + name
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            var worker: String?
            var culprits: [Int64: Int32] = [:]
            for line in text.split(separator: "\n") {
                var fields: [Substring: Substring] = [:]
                for field in line.split(separator: " ") {
                    guard let equals = field.firstIndex(of: "=") else { continue }
                    fields[field[..<equals]] = field[field.index(after: equals)...]
                }
                guard let id = fields["worker"], let job = fields["job"].flatMap({ Int64($0) }),
                    let signal = fields["signal"].flatMap({ Int32($0) })
                else { continue }
                worker = String(id)
                culprits[job] = signal
            }
            guard let worker, worker != own, Self.isGone(worker) else { continue }
            records.append(Record(path: file, workerID: worker, culprits: culprits))
        }
        return records
    }

    /// Deletes a record once its jobs are dealt with.
    public func remove(_ record: Record) {
        unlink(record.path)
    }

    /// Whether the process of worker id `host:pid:tag` has ended.
    static func isGone(_ workerID: String) -> Bool {
        let parts = workerID.split(separator: ":")
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return false }
        if pid == getpid() { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // The state follows the command name in parentheses: `123 (tm) Z …`.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    private func path(of workerID: String) -> String {
        directory + "/" + String(workerID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }) + ".crash"
    }
}
