import Logging
import Synchronization
import Testing

@testable import TMFcgi

/// A log handler that keeps what it is given.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    let records = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        records.withLock { $0.append((event.message.description, merged)) }
    }
}

/// A dependency failure that maps to 503 but carries its own cause.
struct StoreDown: Error, ProblemConvertible, CustomStringConvertible {
    var description: String { "query failed (57P01, pg_terminate): terminating connection due to administrator command" }
    var problem: Problem { Problem(.serviceUnavailable, detail: "The database is not reachable right now.") }
}

@Suite struct ErrorLoggingTests {
    @Test func everyServerErrorLogsItsUnderlyingCauseWithTheRequestID() throws {
        let capture = CapturingLogHandler()
        let logger = Logger(label: "test") { _ in capture }
        var router = Router<BasicContext>()
        router.get("/down") { _, _ -> Response in throw StoreDown() }
        let response = Application(router: router, logger: logger).respond(to: Request(method: .get, path: "/down", requestID: "req-42"))
        #expect(response.status.code == 503)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("57P01"))
        let record = try #require(capture.records.withLock { $0 }.first { $0.message == "request failed" })
        #expect(record.metadata["request_id"] == "req-42")
        #expect("\(record.metadata["error"] ?? "")".contains("57P01"))
        #expect(record.metadata["status"] == "503")
    }
}
