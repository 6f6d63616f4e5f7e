#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics of Prometheus' client libraries, read from `/proc`:
/// CPU seconds, resident memory, open descriptors and start time. For several processes
/// (the pool's master and its workers) CPU, memory and descriptors are summed and the start
/// time is the first process's.
public enum ProcessMetrics {
    /// One process's figures.
    public struct Figures: Sendable, Equatable {
        /// User plus system CPU seconds.
        public var cpuSeconds: Double
        /// Resident set size in bytes.
        public var residentBytes: Double
        /// Open file descriptors.
        public var openFDs: Double
        /// Start time in seconds since the epoch.
        public var startTime: Double
    }

    /// Help texts of the families.
    public static let help: [String: String] = [
        "process_cpu_seconds_total": "Total user and system CPU time spent in seconds.",
        "process_resident_memory_bytes": "Resident memory size in bytes.",
        "process_open_fds": "Number of open file descriptors.",
        "process_max_fds": "Maximum number of open file descriptors.",
        "process_start_time_seconds": "Start time of the process since unix epoch in seconds.",
    ]

    /// The figures of process `pid` ("self" by default); nil when it is gone or unreadable.
    public static func figures(pid: String = "self") -> Figures? {
        guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces: state is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // utime 14, stime 15, starttime 22, rss 24 (1-based over the whole line; here offset by 3).
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]), let start = Double(fields[19]),
            let rssPages = Double(fields[21])
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        return Figures(
            cpuSeconds: (utime + stime) / ticks, residentBytes: rssPages * page, openFDs: Double(countFDs(pid: pid)),
            startTime: bootTime() + start / ticks)
    }

    /// Samples of the summed figures of `pids` (this process alone by default).
    public static func samples(pids: [String] = ["self"]) -> [MetricsRegion.Sample] {
        let all = pids.compactMap { figures(pid: $0) }
        guard let first = all.first else { return [] }
        var out: [MetricsRegion.Sample] = [
            .counter("process_cpu_seconds_total", all.reduce(0) { $0 + $1.cpuSeconds }),
            .gauge("process_resident_memory_bytes", all.reduce(0) { $0 + $1.residentBytes }),
            .gauge("process_open_fds", all.reduce(0) { $0 + $1.openFDs }),
            .gauge("process_start_time_seconds", first.startTime),
        ]
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { out.append(.gauge("process_max_fds", Double(limit.rlim_cur))) }
        return out
    }

    /// The pool's processes: the master (this process's parent when it runs as a pool
    /// worker) and its children, by `/proc/<pid>/task/<pid>/children`.
    public static func poolPIDs(master: Int32) -> [String] {
        let children = read("/proc/\(master)/task/\(master)/children") ?? ""
        return ["\(master)"]
            + children.split(separator: " ").map(String.init).filter { !$0.isEmpty && $0 != "\n" }
            .map { $0.trimmingCharacters(in: "\n") }
    }

    /// This process's parent (the pool's master, seen from a pool worker).
    public static var parentPID: Int32 { getppid() }

    static func countFDs(pid: String) -> Int {
        guard let dir = opendir("/proc/\(pid)/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        // Our own directory stream's descriptor is listed when we count ourselves.
        return pid == "self" || pid == String(getpid()) ? max(0, count - 1) : count
    }

    static func bootTime() -> Double {
        guard let text = read("/proc/stat") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: " ")) ?? 0
        }
        return 0
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String { Substring(self).trimmingCharacters(in: set) }
}
