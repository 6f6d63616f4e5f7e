import Foundation

/// A pool and an nginx of a test's own (on a free port, with a socket in a temp folder),
/// sharing the stack's PostgreSQL and Redis: for tests that kill, recycle or reload workers.
public final class PrivatePool: @unchecked Sendable {
    /// nginx's port.
    public let port: Int
    /// The pool's unix socket.
    public var socketPath: String { directory + "/run/tm.sock" }
    /// The folder holding the socket, configs and logs.
    public let directory: String
    /// The master's pid.
    public private(set) var masterPID: pid_t = 0
    private let stack: TestStack

    /// Starts `tm serve` with the given shape and an nginx in front, and waits for `/health`.
    /// With `systemdSocket`, the socket is created by a stand-in for systemd and passed as
    /// fd 3 with `LISTEN_FDS`/`LISTEN_PID`, as socket activation does.
    public init(
        stack: TestStack, workers: Int = 2, threads: Int = 4, maxRequests: Int = 0,
        environment: [String: String] = [:], systemdSocket: Bool = false, tcp: Bool = false
    ) throws {
        self.stack = stack
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tm-pool-\(UUID().uuidString.prefix(8))").path
        for sub in ["run", "log", "nginx"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
        }
        chmod(directory, 0o755)
        port = try PrivatePool.freePort()
        let socket = directory + "/run/tm.sock"
        let tcpAddress = tcp ? "127.0.0.1:\(try PrivatePool.freePort())" : nil

        var env = ProcessInfo.processInfo.environment
        env["TM_ENV_FILE"] = stack.envFile
        env["TM_SOCKET_MODE"] = "0666"
        env["TM_DIAGNOSTICS"] = "true"
        env["TM_SHUTDOWN_TIMEOUT"] = "20"
        env.merge(environment) { $1 }
        let serve = [stack.binary, "serve", "--workers", "\(workers)", "--threads", "\(threads)", "--max-requests", "\(maxRequests)"]
        if systemdSocket {
            let activator = """
                import os, socket, sys
                path = sys.argv[1]
                listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                listener.bind(path)
                os.chmod(path, 0o666)
                listener.listen(128)
                os.dup2(listener.fileno(), 3)
                os.set_inheritable(3, True)
                os.environ["LISTEN_FDS"] = "1"
                os.environ["LISTEN_PID"] = str(os.getpid())
                os.execv(sys.argv[2], sys.argv[2:])
                """
            masterPID = try Subprocess.spawn(
                ["python3", "-c", activator, socket] + serve, environment: env,
                outputPath: directory + "/log/tm.log")
        } else {
            masterPID = try Subprocess.spawn(
                serve + ["--listen", tcpAddress ?? socket], environment: env,
                outputPath: directory + "/log/tm.log")
        }

        // The one nginx template, with this pool's addresses and the test profile's allow-lists.
        let rendered = try TestStack.run([
            stack.repo + "/nginx/render", directory,
            "UPSTREAM=\(tcpAddress ?? "unix:" + socket)", "PID=\(directory)/run/nginx.pid",
            "TEMP_DIR=\(directory)/nginx", "DOCS=\(directory)/docs",
            "ERROR_LOG=\(directory)/log/nginx-error.log", "ACCESS_LOG=\(directory)/log/nginx-access.log",
            "LISTEN_HTTP=127.0.0.1:\(port)", "SERVER_NAME=localhost", "WORKERS=2",
            "USER=\(getuid() == 0 ? "root" : "")",
            "DIAG_ALLOW=127.0.0.1", "LIMIT_EXEMPT=127.0.0.1",
            // Real time: the stack's key, a publisher socket of its own.
            "REALTIME_SECRET_CONF=\(stack.state)/nginx-conf/realtime-secret.conf",
            "PUBLISH_SOCKET=\(directory)/nchan-publish.sock",
        ])
        guard rendered.status == 0 else { throw TestHTTPError(description: "render failed: \(rendered.output)") }
        let waitForSocket = Date().addingTimeInterval(15)
        while tcpAddress == nil && !FileManager.default.fileExists(atPath: socket) && Date() < waitForSocket { usleep(20_000) }
        let nginx = try TestStack.run([
            "nginx", "-e", directory + "/log/nginx-error.log", "-p", directory + "/nginx",
            "-c", directory + "/nginx.conf",
        ])
        guard nginx.status == 0 else {
            stop()
            throw TestHTTPError(description: "nginx failed: \(nginx.output)")
        }
        let client = TestHTTPClient(port: port)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let response = try? client.send("GET", "/health"), response.status == 200,
                workerPIDs().count == workers
            {
                return
            }
            usleep(50_000)
        }
        let text = logText
        stop()
        throw TestHTTPError(description: "private pool did not become healthy:\n\(text)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A client for this pool's nginx.
    public func client() -> TestHTTPClient { TestHTTPClient(port: port) }

    /// The master's current worker processes.
    public func workerPIDs() -> Set<pid_t> { ProcessTable.children(of: masterPID) }

    /// Sends `signal` to the master.
    public func signalMaster(_ signal: Int32) { kill(masterPID, signal) }

    /// Waits for the master to exit; its status, or nil on timeout.
    public func waitForMasterExit(seconds: Double) -> Int32? {
        if let exitStatus { return exitStatus }
        exitStatus = Subprocess.wait(masterPID, seconds: seconds)
        return exitStatus
    }
    private var exitStatus: Int32?

    /// Waits until `condition` holds (polling), up to `seconds`; whether it did.
    @discardableResult
    public func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// The pool's log so far.
    public var logText: String {
        (try? String(contentsOfFile: directory + "/log/tm.log", encoding: .utf8)) ?? ""
    }

    /// Stops nginx and the pool (idempotent).
    public func stop() {
        if let pid = try? String(contentsOfFile: directory + "/run/nginx.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), let value = pid_t(pid)
        {
            kill(value, SIGTERM)
        }
        if exitStatus == nil {
            let workers = workerPIDs()
            kill(masterPID, SIGTERM)
            if waitForMasterExit(seconds: 10) == nil {
                kill(masterPID, SIGKILL)
                for pid in workers { kill(pid, SIGKILL) }
            }
        }
    }

    /// A port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let (fd, port) = try Loopback.listen()
        close(fd)
        return port
    }

    /// Starts `threads` connections of load on `GET path` and waits for `warmUp` responses.
    public func startLoad(path: String = "/health", threads: Int = 4, warmUp: Int) -> LoadGenerator {
        let load = LoadGenerator(port: port, path: path, threads: threads)
        load.start()
        load.waitForResponses(warmUp)
        return load
    }
}

/// Sockets on the loopback interface.
public enum Loopback {
    /// A listening TCP socket on 127.0.0.1 with a port the kernel chose, and that port.
    public static func listen(backlog: Int32 = 16) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, Glibc.listen(fd, backlog) == 0 else {
            if fd >= 0 { close(fd) }
            throw TestHTTPError(description: "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// Reads the process table from /proc.
public enum ProcessTable {
    /// Live child pids of `parent`.
    public static func children(of parent: pid_t) -> Set<pid_t> {
        var result = Set<pid_t>()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return result }
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // fields[0] is the state, fields[1] the parent pid; zombies do not count.
            if fields.count > 1, fields[0] != "Z", pid_t(fields[1]) == parent { result.insert(pid) }
        }
        return result
    }

    /// A field of /proc/PID/status in kB (VmRSS, VmHWM).
    public static func memoryKilobytes(_ pid: pid_t, field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }

    /// Resets the peak resident set size (VmHWM) of `pid` to its current RSS and returns that
    /// new peak in kB. A process's peak is usually set by its start-up, above what one request
    /// adds, so a growth measured against an unreset peak reads 0 whatever the request does;
    /// after this, VmHWM minus the returned value is what came after the reset.
    /// Writes `5` to /proc/PID/clear_refs (Linux 4.0+; needs ptrace rights over `pid`, which
    /// the tests have as root or as the owner).
    public static func resetPeakMemory(_ pid: pid_t) throws -> Int {
        let path = "/proc/\(pid)/clear_refs"
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw TestHTTPError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard write(fd, "5", 1) == 1 else {
            throw TestHTTPError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard let peak = memoryKilobytes(pid, field: "VmHWM"), let resident = memoryKilobytes(pid, field: "VmRSS") else {
            throw TestHTTPError(description: "no VmHWM/VmRSS for pid \(pid)")
        }
        // The reset took: the peak now is (about) the current RSS, not the start-up's high mark.
        guard peak <= resident + 1024 else {
            throw TestHTTPError(description: "VmHWM of \(pid) is still \(peak) kB after the reset (VmRSS \(resident) kB)")
        }
        return peak
    }
}
