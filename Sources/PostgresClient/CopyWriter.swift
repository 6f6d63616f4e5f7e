import CLibPQ

/// The data side of a `COPY … FROM STDIN` in the text format: rows are buffered and sent in
/// blocks of about 256 KiB, so memory stays flat however many rows go through.
public final class CopyWriter {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var open = true
    private static let blockSize = 256 * 1024

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.blockSize + 4096)
    }

    /// Appends raw COPY text (whole rows, each ending in `\n`, escaped by the caller).
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.blockSize { try flush() }
    }

    /// Appends a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.blockSize { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        guard let handle = connection.handle else { throw DatabaseError.unavailable("connection lost") }
        let sent = buffer.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw connection.error(from: nil) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Sends what is left and ends the COPY; throws what the server said if it refused rows.
    public func finish() throws {
        guard open else { return }
        try flush()
        open = false
        guard let handle = connection.handle, PQputCopyEnd(handle, nil) == 1 else { throw connection.error(from: nil) }
        try drain(handle)
    }

    /// Ends the COPY with an error, so the server discards everything sent.
    public func abort() {
        guard open else { return }
        open = false
        buffer.removeAll()
        guard let handle = connection.handle, PQputCopyEnd(handle, "aborted by the client") == 1 else { return }
        try? drain(handle)
    }

    private func drain(_ handle: OpaquePointer) throws {
        var failure: DatabaseError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if failure == nil && status != PGRES_COMMAND_OK { failure = connection.error(from: result) }
            PQclear(result)
        }
        if let failure { throw failure }
    }
}
