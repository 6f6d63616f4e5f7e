import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs `COPY … FROM STDIN` (`sql`) and streams what `body` writes into it, in the text
    /// format; the rows are in when this returns. When `body` throws, the COPY is aborted (the
    /// server discards it) and the error is rethrown, so the connection stays usable for the
    /// enclosing transaction's rollback.
    public func copyIn(_ sql: SQL, _ body: (CopyWriter) throws -> Void) throws {
        let writer = try beginCopyIn(sql)
        do {
            try body(writer)
        } catch {
            writer.abort()
            throw error
        }
        try writer.finish()
    }

    /// Starts `COPY … FROM STDIN`; write rows to the answer, then `finish()` or `abort()` it.
    /// Nothing else may run on this connection until then.
    public func beginCopyIn(_ sql: SQL) throws -> CopyWriter {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { throw DatabaseError.unavailable("connection lost") }
        guard let result = execParams(sql, binaryResult: false) else { throw error(from: nil) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else { throw error(from: result) }
        return CopyWriter(connection: self)
    }
}
