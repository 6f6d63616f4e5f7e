import Foundation
import TestSupport
import Testing

@testable import RedisClient

/// Redis under Sentinel with real processes on loopback: a primary, a replica and one
/// sentinel (quorum 1). The client finds the primary through the sentinel and, after the
/// primary is killed, follows the replica the sentinel promotes, with what was written
/// before the failure still there (a session survives the failover).
@Suite(.serialized) struct RedisSentinelTests {
    /// The three processes, stopped when the test ends.
    final class Cell {
        let directory: String
        let primaryPort: Int
        let replicaPort: Int
        let sentinelPort: Int
        private(set) var pids: [String: pid_t] = [:]

        init() throws {
            directory = NSTemporaryDirectory() + "tm-sentinel-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            primaryPort = try PrivatePool.freePort()
            replicaPort = try PrivatePool.freePort()
            sentinelPort = try PrivatePool.freePort()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try start("primary", ["--port", String(primaryPort)])
            try start("replica", ["--port", String(replicaPort), "--replicaof", "127.0.0.1", String(primaryPort)])
            let configuration = """
                port \(sentinelPort)
                bind 127.0.0.1
                dir \(directory)
                sentinel monitor mymaster 127.0.0.1 \(primaryPort) 1
                sentinel down-after-milliseconds mymaster 1000
                sentinel failover-timeout mymaster 5000
                """
            try configuration.write(toFile: directory + "/sentinel.conf", atomically: true, encoding: .utf8)
            pids["sentinel"] = try Subprocess.spawn(
                ["redis-server", directory + "/sentinel.conf", "--sentinel"], environment: [:], outputPath: directory + "/sentinel.log")
        }

        private func start(_ name: String, _ arguments: [String]) throws {
            try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
            pids[name] = try Subprocess.spawn(
                ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory + "/" + name] + arguments,
                environment: [:], outputPath: directory + "/\(name).log")
        }

        /// Kills one process outright, as a host loss would.
        func kill(_ name: String) {
            guard let pid = pids.removeValue(forKey: name) else { return }
            Foundation.kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 10)
        }

        func stop() {
            for name in Array(pids.keys) { kill(name) }
            try? FileManager.default.removeItem(atPath: directory)
        }

        func direct(_ port: Int) throws -> RedisConnection {
            try RedisConnection(endpoint: try #require(RedisEndpoint(url: "redis://127.0.0.1:\(port)")), timeoutSeconds: 1)
        }

        /// The endpoint a process configured with `REDIS_SENTINELS` uses.
        var endpoint: RedisEndpoint {
            var endpoint = RedisEndpoint(url: "redis://127.0.0.1:1/0")!
            endpoint.sentinel = .init(nodes: [.init(host: "127.0.0.1", port: sentinelPort)], primaryName: "mymaster")
            return endpoint
        }

        /// Waits (bounded) until `condition` holds, retrying what throws.
        func wait(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if (try? condition()) == true { return }
                usleep(50_000)
            }
            throw TestHTTPError(description: "timed out waiting for \(what); logs in \(directory)")
        }

        func info(_ port: Int, _ section: String) throws -> String {
            try direct(port).command(["INFO", section]).string ?? ""
        }
    }

    @Test func theClientFollowsTheReplicaTheSentinelPromotes() throws {
        let cell = try Cell()
        defer { cell.stop() }
        try cell.wait("the replica's link") { try cell.info(cell.replicaPort, "replication").contains("master_link_status:up") }
        try cell.wait("the sentinel to see the replica") {
            try cell.direct(cell.sentinelPort).command(["SENTINEL", "replicas", "mymaster"]) != .array([])
        }

        let redis = Redis(endpoint: cell.endpoint)
        try redis.command(["SET", "tm:session:probe", "signed-in"])
        // Replicated before the loss (sessions are written long before a failover, in practice).
        #expect(try redis.command(["WAIT", "1", "2000"]).integer == 1)
        #expect(try cell.info(cell.primaryPort, "server").contains("tcp_port:\(cell.primaryPort)"))

        cell.kill("primary")
        var refused = 0
        var value: RedisValue?
        try cell.wait("a command to succeed after the failover") {
            do {
                value = try redis.command(["GET", "tm:session:probe"])
                return true
            } catch {
                refused += 1
                throw error
            }
        }
        #expect(value?.string == "signed-in", "the session written before the failure is there")
        #expect(refused > 0, "the dead primary refused commands until the sentinel promoted the replica")
        // The client now writes to the promoted replica.
        try redis.command(["SET", "tm:after", "1"])
        #expect(try cell.direct(cell.replicaPort).command(["GET", "tm:after"]).string == "1")
        guard case .array(let role) = try cell.direct(cell.replicaPort).command(["ROLE"]) else { throw TestHTTPError(description: "ROLE") }
        #expect(role.first?.string == "master")
    }

    @Test func withoutAnySentinelTheErrorNamesThem() throws {
        var endpoint = RedisEndpoint(url: "redis://127.0.0.1:1/0")!
        let port = try PrivatePool.freePort()
        endpoint.sentinel = .init(nodes: [.init(host: "127.0.0.1", port: port)], primaryName: "mymaster")
        do {
            _ = try RedisConnection(endpoint: endpoint, timeoutSeconds: 0.5)
            Issue.record("connected without a sentinel")
        } catch RedisError.unavailable(let message) {
            #expect(message.contains("no sentinel named the primary mymaster") && message.contains("127.0.0.1:\(port)"), "\(message)")
        }
    }
}
