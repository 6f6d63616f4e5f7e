import CHiredis
import Foundation
import Metrics
import Support

#if canImport(Glibc)
import Glibc
#endif

/// Where Redis is: parsed from `REDIS_URL` (`redis://[:password@]host[:port][/db]` or
/// `unix:///path/to/redis.sock[?db=N]`).
public struct RedisEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }
    /// Host and port, or socket path.
    public var address: Address
    /// The password for AUTH, if any.
    public var password: String?
    /// The database number for SELECT.
    public var database: Int

    /// Parses a Redis URL; nil when it is not one.
    public init?(url: String) {
        guard let components = URLComponents(string: url) else { return nil }
        switch components.scheme {
        case "redis":
            guard let host = components.host, !host.isEmpty else { return nil }
            address = .tcp(host: host, port: components.port ?? 6379)
            let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else { return nil }
            self.database = database
        case "unix":
            guard !components.path.isEmpty else { return nil }
            address = .unix(path: components.path)
            let db = components.queryItems?.first { $0.name == "db" }?.value
            guard let database = db.map({ Int($0) }) ?? 0, database >= 0 else { return nil }
            self.database = database
        default:
            return nil
        }
        password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
    }
}

/// One hiredis connection, used by one thread at a time. Commands are argv arrays, so
/// values are binary-safe and never parsed as part of the command.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects (and AUTH/SELECT) with a short timeout (also the deadline of each command).
    public init(endpoint: RedisEndpoint, timeoutSeconds: Double = 2) throws {
        let whole = timeoutSeconds.rounded(.down)
        let timeout = timeval(tv_sec: Int(whole), tv_usec: Int((timeoutSeconds - whole) * 1_000_000))
        switch endpoint.address {
        case .tcp(let host, let port): context = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path): context = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let context, context.pointee.err == 0 else {
            let message = context.map { Self.errorText($0) } ?? "out of memory"
            redisFree(context)
            self.context = nil
            throw RedisError.unavailable(message)
        }
        redisSetTimeout(context, timeout)
        if let password = endpoint.password { try command(["AUTH", password]) }
        if endpoint.database != 0 { try command(["SELECT", String(endpoint.database)]) }
    }

    deinit { redisFree(context) }

    /// Whether the connection is still usable. Redis never speaks first on a plain
    /// connection, so a readable idle socket means the server closed it (a restart).
    public var isHealthy: Bool {
        guard let context, context.pointee.err == 0 else { return false }
        return !SocketProbe.isReadable(context.pointee.fd)
    }

    /// Runs one command given as arguments.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisValue {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Runs one command given as binary arguments.
    @discardableResult
    public func command(_ arguments: [[UInt8]]) throws -> RedisValue {
        guard let context, context.pointee.err == 0 else { throw RedisError.unavailable("connection lost") }
        guard let raw = Self.withArgv(arguments, { redisCommandArgv(context, $0, $1, $2) }) else {
            throw RedisError.unavailable(Self.errorText(context))
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try Self.convert(reply)
    }

    // Subscriber mode (the real-time relay): after `SUBSCRIBE` (a plain `command`, whose
    // answer is the confirmation) the server speaks first, so messages are read as they
    // come, with a deadline, and PING goes out without waiting for its answer (the `pong`
    // arrives among the messages).

    /// The next message pushed by the server, or nil when none came within `timeout` seconds.
    public func nextPush(timeout: Double) throws -> RedisValue? {
        guard let context, context.pointee.err == 0 else { throw RedisError.unavailable("connection lost") }
        let deadline = MonotonicClock.seconds() + timeout
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw RedisError.unavailable(Self.errorText(context)) }
            if let raw {
                defer { freeReplyObject(raw) }
                return try Self.convert(raw.assumingMemoryBound(to: redisReply.self))
            }
            let left = deadline - MonotonicClock.seconds()
            guard left > 0 else { return nil }
            var entry = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready == 0 { return nil }
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0, redisBufferRead(context) == REDIS_OK else {
                throw RedisError.unavailable(context.pointee.err != 0 ? Self.errorText(context) : "connection lost")
            }
        }
    }

    /// Sends a command without reading its answer (in subscriber mode: PING).
    public func send(_ arguments: [String]) throws {
        guard let context, context.pointee.err == 0 else { throw RedisError.unavailable("connection lost") }
        guard Self.withArgv(arguments.map { Array($0.utf8) }, { redisAppendCommandArgv(context, $0, $1, $2) }) == REDIS_OK else {
            throw RedisError.unavailable(Self.errorText(context))
        }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw RedisError.unavailable(Self.errorText(context)) }
        }
    }

    /// Calls `body` with hiredis's argc, argv and argument lengths for binary `arguments`.
    private static func withArgv<T>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBytes { raw in
                if raw.count > 0 { UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            }
            return pointer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let lengths: [Int] = arguments.map(\.count)
        return argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argvBuffer.baseAddress!, $0.baseAddress!) }
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) throws -> RedisValue {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_INTEGER: return .integer(value.integer)
        case REDIS_REPLY_STATUS: return .status(String(cString: value.str))
        case REDIS_REPLY_ERROR: throw RedisError.reply(String(cString: value.str))
        case REDIS_REPLY_STRING:
            let bytes = UnsafeRawBufferPointer(start: value.str, count: Int(value.len))
            return .string(Array(bytes))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            for index in 0..<Int(value.elements) {
                guard let element = value.element[index] else {
                    items.append(.null)
                    continue
                }
                items.append(try convert(element))
            }
            return .array(items)
        default:
            return .null
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Redis for the whole process: one connection per thread, opened lazily and reopened after
/// a failure. When Redis is down every call throws ``RedisError/unavailable(_:)``.
public final class Redis: Sendable {
    /// Where Redis is.
    public let endpoint: RedisEndpoint
    private let connections = ThreadLocal<RedisConnection>()
    private let metrics: MetricsRegion?

    /// A client for `endpoint`; nothing is opened until first use. With `metrics`, every
    /// command's round trip is recorded in `tm_redis_command_duration_seconds`.
    public init(endpoint: RedisEndpoint, metrics: MetricsRegion? = nil) {
        self.endpoint = endpoint
        self.metrics = metrics
    }

    /// Runs one command on this thread's connection.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisValue {
        try withConnection { try $0.command(arguments) }
    }

    /// Runs one binary-safe command on this thread's connection.
    @discardableResult
    public func command(_ arguments: [[UInt8]]) throws -> RedisValue {
        try withConnection { try $0.command(arguments) }
    }

    /// Uses this thread's connection, replacing it first when it is lost or went stale (a
    /// server restart shows as a readable idle socket). A command that fails is not retried:
    /// it may have run (an `INCR` after a timeout), so the caller gets a 503 instead.
    private func withConnection<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        let start = metrics == nil ? 0 : MonotonicClock.seconds()
        defer { metrics?.observe(MetricCatalog.redisDuration, seconds: MonotonicClock.seconds() - start) }
        let connection: RedisConnection
        if let existing = connections.value, existing.isHealthy {
            connection = existing
        } else {
            connections.value = nil
            do {
                connection = try RedisConnection(endpoint: endpoint)
            } catch {
                metrics?.add(MetricCatalog.redisConnectionErrors)
                throw error
            }
            metrics?.add(MetricCatalog.redisConnectionsOpened)
            connections.value = connection
        }
        do {
            return try body(connection)
        } catch RedisError.unavailable(let message) {
            connections.value = nil
            metrics?.add(MetricCatalog.redisConnectionErrors)
            throw RedisError.unavailable(message)
        }
    }
}
