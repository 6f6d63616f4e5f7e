import Foundation
import PostgresClient
import Security
import TMFcgi

/// Routes for operating and testing the pool itself, mounted only when
/// `TM_DIAGNOSTICS=true` (never in production): a slow request, a slow statement and a
/// streamed upload.
public struct DiagnosticHandlers: Sendable {
    /// The pool's database (its statement timeout applies), for `/_diag/pg-sleep`.
    let database: Database?

    /// Handlers; `/_diag/pg-sleep` only with a `database`.
    public init(database: Database? = nil) {
        self.database = database
    }

    /// The answer of `/_diag/sleep`.
    struct Slept: Codable {
        var sleptMs: Int
        var pid: Int
    }

    /// The answer of `/_diag/upload`.
    struct Uploaded: Codable {
        var bytes: Int
        var fnv1a: String
        var pid: Int
        var rssKb: Int
    }

    /// The body `/_diag/echo` takes and returns.
    struct Payload: Codable {
        let name: String
        let count: Int
    }

    /// `GET /_diag/sleep?ms=N`: answers after N milliseconds (at most 60 s).
    public func sleep(_ request: Request, _ context: AppContext) throws -> Response {
        var errors: [FieldError] = []
        guard let ms = QueryValue.integer(try request.queryItems, "ms", 0...60_000, errors: &errors) else {
            throw Problem.validation(errors.isEmpty ? [FieldError(pointer: "ms", detail: "is required")] : errors)
        }
        Thread.sleep(forTimeInterval: Double(ms) / 1000)
        return .json("{\"slept_ms\":\(ms),\"pid\":\(ProcessInfo.processInfo.processIdentifier)}")
    }

    /// `GET /_diag/pg-sleep?ms=N`: one statement of N milliseconds on this thread's
    /// connection; past `TM_STATEMENT_TIMEOUT_MS` PostgreSQL cancels it (a 504 problem).
    public func pgSleep(_ request: Request, _ context: AppContext) throws -> Response {
        var errors: [FieldError] = []
        guard let ms = QueryValue.integer(try request.queryItems, "ms", 0...600_000, errors: &errors), let database else {
            throw Problem.validation(errors.isEmpty ? [FieldError(pointer: "ms", detail: "is required")] : errors)
        }
        try database.sleep(milliseconds: ms)
        return .json("{\"slept_ms\":\(ms),\"pid\":\(ProcessInfo.processInfo.processIdentifier)}")
    }

    /// `POST /_diag/upload`: streams the body through a 64 KiB buffer, returning its length,
    /// a checksum and the worker's resident memory, to show uploads do not accumulate.
    public func upload(_ request: Request, _ context: AppContext) throws -> Response {
        var length = 0
        var checksum = FNV1a()
        try request.body.forEachChunk { chunk in
            length += chunk.count
            checksum.update(chunk)
        }
        return .json(
            "{\"bytes\":\(length),\"fnv1a\":\"\(checksum.hex)\",\"pid\":\(ProcessInfo.processInfo.processIdentifier),\"rss_kb\":\(Self.residentKilobytes())}"
        )
    }

    /// `POST /_diag/echo`: decodes a JSON object and returns it (exercises JSON errors).
    public func echo(_ request: Request, _ context: AppContext) throws -> Response {
        let payload = try request.decode(Payload.self)
        return try JSONCoding.response(payload, status: .ok)
    }

    /// VmRSS of this process in KiB.
    static func residentKilobytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? -1
    }
}
