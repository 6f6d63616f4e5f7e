import CLibPQ
import Foundation
import Support

/// One libpq connection, used by one thread at a time. Parameters use the text format, or the
/// binary one for ``SQLBinaryEncodable`` values; every statement goes through `PQexecParams`,
/// so values are never spliced into SQL.
public final class PostgresConnection {
    private(set) var handle: OpaquePointer?
    private let url: String

    /// Connects to `url` (a `postgresql://` URI or a conninfo string). With
    /// `statementTimeoutMilliseconds`, the session's `statement_timeout`: the server cancels a
    /// statement running longer (SQLSTATE 57014).
    public init(url: String, connectTimeout: Int = 3, statementTimeoutMilliseconds: Int? = nil) throws {
        self.url = url
        let keywords = ["dbname", "connect_timeout", "application_name", "options"]
        var options = "-c TimeZone=UTC -c DateStyle=ISO -c client_min_messages=warning"
        if let statementTimeoutMilliseconds { options += " -c statement_timeout=\(max(0, statementTimeoutMilliseconds))" }
        let values = [url, String(connectTimeout), "trademaster", options]
        var keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer(strdup($0)) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer(strdup($0)) } + [nil]
        defer {
            keywordPointers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) }
            valuePointers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) }
        }
        handle = PQconnectdbParams(&keywordPointers, &valuePointers, 1)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            self.handle = nil
            throw DatabaseError.unavailable(Self.firstLine(message))
        }
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable. An idle connection whose socket is readable
    /// was almost always closed by the server (a restart sends "terminating connection" and
    /// hangs up), so it counts as lost and is replaced before a request uses it.
    public var isHealthy: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        return !SocketProbe.isReadable(PQsocket(handle))
    }

    /// Runs `sql` and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) throws -> [Row] {
        let result = try run(sql)
        defer { PQclear(result) }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String: Int] = [:]
        for column in 0..<columnCount { columns[String(cString: PQfname(result, Int32(column)))] = column }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    /// Runs `sql` and returns its result column by column, in binary format (see
    /// ``ResultColumns``).
    public func columns(_ sql: SQL) throws -> ResultColumns {
        let result = try run(sql, binary: true)
        defer { PQclear(result) }
        return try ResultColumns(result: result)
    }

    /// Runs `sql` and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        let result = try run(sql)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Outside this module a transaction comes from ``Database`` as a ``Transaction``.
    func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a migration script (several statements) with the simple query protocol. Only
    /// ``MigrationScript`` values, read from the migrations folder, can get here.
    func executeScript(_ script: MigrationScript) throws {
        guard let handle else { throw DatabaseError.unavailable("not connected") }
        guard PQsendQuery(handle, script.text) == 1 else { throw error(from: nil) }
        var failure: DatabaseError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if failure == nil && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY {
                failure = error(from: result)
            }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    private func run(_ sql: SQL, binary: Bool = false) throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw DatabaseError.unavailable("connection lost")
        }
        guard let result = execParams(sql, binaryResult: binary) else { throw error(from: nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        default:
            let failure = error(from: result)
            PQclear(result)
            throw failure
        }
    }

    func error(from result: OpaquePointer?) -> DatabaseError {
        if let handle, PQstatus(handle) != CONNECTION_OK {
            return .unavailable(Self.firstLine(String(cString: PQerrorMessage(handle))))
        }
        guard let result else {
            return .unavailable(handle.map { Self.firstLine(String(cString: PQerrorMessage($0))) } ?? "no connection")
        }
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let state = field("C") ?? "XX000"
        // Class 08 is connection exception; 57P01..03 are admin shutdown / crash / cannot connect now.
        if state.hasPrefix("08") || state.hasPrefix("57P") {
            return .unavailable(field("M") ?? "connection failure")
        }
        return .query(sqlState: state, message: field("M") ?? "unknown error", constraint: field("n"))
    }

    private static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? text
    }
}
