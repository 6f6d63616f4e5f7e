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
    /// Sentinels that name the primary, when Redis runs under Sentinel: `address` is then
    /// only where to start, and every new connection asks them for the primary.
    public var sentinel: Sentinel?

    /// Redis Sentinel: the sentinels to ask and the name of the primary they watch.
    public struct Sentinel: Sendable, Equatable {
        /// The sentinels, asked in order until one answers.
        public var nodes: [Node]
        /// The name the sentinels monitor the primary under (`sentinel monitor <name> …`).
        public var primaryName: String
        /// The sentinels' own password (`requirepass` in sentinel.conf), if any.
        public var password: String?

        /// One sentinel's address.
        public struct Node: Sendable, Equatable {
            public var host: String
            public var port: Int
        }

        public init(nodes: [Node], primaryName: String, password: String? = nil) {
            self.nodes = nodes
            self.primaryName = primaryName
            self.password = password
        }

        /// Parses `host:port,host:port` (port 26379 when left out); nil when a part is not one.
        public static func nodes(parsing list: String) -> [Node]? {
            var nodes: [Node] = []
            for part in list.split(separator: ",", omittingEmptySubsequences: false) {
                let item = part.trimmingCharacters(in: .whitespaces)
                let pieces = item.split(separator: ":", omittingEmptySubsequences: false)
                guard !item.isEmpty, pieces.count <= 2, !pieces[0].isEmpty else { return nil }
                let port = pieces.count == 2 ? Int(pieces[1]) : 26379
                guard let port, (1...65535).contains(port) else { return nil }
                nodes.append(Node(host: String(pieces[0]), port: port))
            }
            return nodes.isEmpty ? nil : nodes
        }
    }

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

extension RedisEndpoint {
    /// The primary's address as the sentinels name it now: each sentinel in turn is asked
    /// (`SENTINEL get-master-addr-by-name`) until one answers.
    func primaryAddress(timeoutSeconds: Double) throws -> Address {
        guard let sentinel else { return address }
        var failures: [String] = []
        for node in sentinel.nodes {
            do {
                let connection = try RedisConnection(
                    address: .tcp(host: node.host, port: node.port), password: sentinel.password, database: 0,
                    timeoutSeconds: timeoutSeconds)
                let reply = try connection.command(["SENTINEL", "get-master-addr-by-name", sentinel.primaryName])
                guard case .array(let parts) = reply, parts.count == 2, let host = parts[0].string, let port = parts[1].integer.map(Int.init) else {
                    failures.append("\(node.host):\(node.port) does not know \(sentinel.primaryName)")
                    continue
                }
                return .tcp(host: host, port: port)
            } catch {
                failures.append("\(node.host):\(node.port): \(error)")
            }
        }
        throw RedisError.unavailable("no sentinel named the primary \(sentinel.primaryName) (\(failures.joined(separator: "; ")))")
    }
}

/// One hiredis connection, used by one thread at a time. Commands are argv arrays, so
/// values are binary-safe and never parsed as part of the command.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects (and AUTH/SELECT) with a short timeout (also the deadline of each command).
    /// Under Sentinel, to the primary the sentinels name, checked with `ROLE` (a sentinel may
    /// still name a primary that was just demoted).
    public convenience init(endpoint: RedisEndpoint, timeoutSeconds: Double = 2) throws {
        let address = try endpoint.primaryAddress(timeoutSeconds: min(timeoutSeconds, 0.5))
        try self.init(address: address, password: endpoint.password, database: endpoint.database, timeoutSeconds: timeoutSeconds)
        if endpoint.sentinel != nil {
            guard case .array(let role) = try command(["ROLE"]), role.first?.string == "master" else {
                throw RedisError.unavailable("the sentinels named \(address), which is not a primary (a failover in progress)")
            }
        }
    }

    /// Connects to `address` (and AUTH/SELECT) with a short timeout (also each command's).
    init(address: RedisEndpoint.Address, password: String?, database: Int, timeoutSeconds: Double) throws {
        let whole = timeoutSeconds.rounded(.down)
        let timeout = timeval(tv_sec: Int(whole), tv_usec: Int((timeoutSeconds - whole) * 1_000_000))
        switch address {
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
        if let password { try command(["AUTH", password]) }
        if database != 0 { try command(["SELECT", String(database)]) }
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
        } catch RedisError.reply(let message) where message.hasPrefix("READONLY") {
            // A primary demoted under us (a failover): the next call asks the sentinels again.
            connections.value = nil
            throw RedisError.unavailable("the primary became a replica: \(message)")
        }
    }
}
