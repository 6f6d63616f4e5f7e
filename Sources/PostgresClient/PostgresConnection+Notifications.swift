import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

extension PostgresConnection {
    /// Waits up to `timeout` seconds for notifications on this (listening) connection and
    /// returns those that arrived; an empty array on timeout. A connection the server closed
    /// (a restart) throws ``DatabaseError/unavailable(_:)`` so the caller can reconnect.
    public func waitForNotifications(timeout: Double) throws -> [PostgresNotification] {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { throw DatabaseError.unavailable("connection lost") }
        var received = drainNotifications(handle)
        if !received.isEmpty { return received }
        var entry = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Int32(max(0, timeout) * 1000))
        if ready < 0 && errno != EINTR { throw DatabaseError.unavailable("poll failed") }
        guard ready > 0 else { return [] }
        guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw DatabaseError.unavailable(
                String(cString: PQerrorMessage(handle)).split(separator: "\n").first.map(String.init) ?? "connection lost")
        }
        received = drainNotifications(handle)
        return received
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let raw = PQnotifies(handle) {
            let note = raw.pointee
            received.append(
                PostgresNotification(
                    channel: String(cString: note.relname),
                    payload: note.extra.map { String(cString: $0) } ?? ""))
            PQfreemem(raw)
        }
        return received
    }
}
