import Foundation

/// A TCP server on 127.0.0.1 that answers every connection with a script of raw bytes,
/// pauses and endless streams: a hostile or broken HTTP service for client tests. It reads
/// the request head (up to the blank line) before it plays the script.
public final class ScriptedServer: @unchecked Sendable {
    /// One step of the answer.
    public enum Step: Sendable {
        /// Writes these bytes.
        case send([UInt8])
        /// Writes this text.
        case text(String)
        /// Waits this many seconds.
        case pause(Double)
        /// Writes these bytes again and again until the client goes away or the server closes.
        case repeatForever([UInt8])
        /// Writes one byte every `interval` seconds, forever.
        case drip(interval: Double)
        /// Keeps the connection open, silent, until the server closes.
        case hold
    }

    /// The port it listens on.
    public let port: Int
    private let fd: Int32
    private let script: [Step]
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var heads: [String] = []
    private var closed = false

    /// A server playing `script` to every connection, then closing it.
    public init(_ script: [Step]) throws {
        self.script = script
        (fd, port) = try Loopback.listen()
        let listener = fd
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                lock.lock()
                clients.append(client)
                lock.unlock()
                Thread { [self] in serve(client) }.start()
            }
        }.start()
    }

    /// A server answering every request with `response` (raw bytes of text) and closing.
    public convenience init(answer response: String) throws {
        try self.init([.text(response)])
    }

    /// The request heads received so far.
    public var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return heads
    }

    /// Stops listening and closes every connection (once; later calls do nothing).
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        let open = clients
        if !wasClosed {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            for client in open { shutdown(client, Int32(SHUT_RDWR)) }
        }
        lock.unlock()
    }

    deinit { close() }

    private var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    private func serve(_ client: Int32) {
        defer {
            // Forget the descriptor before closing it, so `close()` never shuts a reused one.
            lock.lock()
            clients.removeAll { $0 == client }
            lock.unlock()
            Glibc.close(client)
        }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var byte = [UInt8](repeating: 0, count: 4096)
        while head.firstRange(of: [13, 10, 13, 10]) == nil {
            let count = recv(client, &byte, byte.count, 0)
            if count <= 0 { return }
            head.append(contentsOf: byte[..<count])
        }
        let end = head.firstRange(of: [13, 10, 13, 10])!.upperBound
        let text = String(decoding: head[..<end], as: UTF8.self)
        // Read a request body too: closing with unread input would reset the connection.
        let length =
            text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        var received = head.count - end
        while received < length {
            let count = recv(client, &byte, byte.count, 0)
            if count <= 0 { return }
            received += count
        }
        lock.lock()
        heads.append(text)
        lock.unlock()
        for step in script {
            switch step {
            case .send(let bytes): guard write(client, bytes) else { return }
            case .text(let text): guard write(client, Array(text.utf8)) else { return }
            case .pause(let seconds): usleep(UInt32(seconds * 1_000_000))
            case .repeatForever(let bytes): while !isClosed, write(client, bytes) {}
            case .drip(let interval):
                while !isClosed, write(client, [UInt8(ascii: "a")]) { usleep(UInt32(interval * 1_000_000)) }
            case .hold: while !isClosed { usleep(20_000) }
            }
        }
        shutdown(client, Int32(SHUT_WR))
    }

    private func write(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
