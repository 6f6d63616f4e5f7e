import CFastCGI
import Logging
import Metrics

#if canImport(Glibc)
import Glibc
#endif

/// The pool's master process: owns the listening socket, starts worker processes (the same
/// binary with `--worker`, the socket on fd 0) and keeps them alive.
///
/// Single-threaded. Signals are blocked and read from a signalfd, so there are no signal
/// handlers. SIGCHLD restarts crashed workers (with a brake against crash loops); a worker's
/// "retiring" message (max requests) starts its replacement before it drains; SIGHUP starts
/// a new generation and retires the old one once the new one is ready; SIGTERM/SIGINT drain
/// all workers and exit, killing what is left after the shutdown timeout.
public final class Master {
    struct Worker {
        let pid: pid_t
        let slot: Int
        let generation: Int
        let control: Int32
        var ready = false
        var retiring = false
    }

    private let configuration: PoolConfiguration
    private let executable: String
    private let workerArguments: [String]
    private let logger: Logger
    private var listenFD: Int32 = -1
    private var workers: [pid_t: Worker] = [:]
    private var generation = 1
    private var pendingGeneration: Int?
    private var reloadDeadline: Double = 0
    private var shutdownDeadline: Double?
    private var crashTimes: [Double] = []
    private var scheduledRespawns: [(slot: Int, at: Double)] = []
    /// The pool's shared metrics; workers attach to it through `TM_METRICS_REGION`.
    private var metrics: MetricsRegion?

    /// A master that will run `executable workerArguments…` as its workers.
    public init(configuration: PoolConfiguration, executable: String, workerArguments: [String], logger: Logger) {
        self.configuration = configuration
        self.executable = executable
        self.workerArguments = workerArguments
        self.logger = logger
    }

    /// The path of the running binary, resolved now so a deploy that replaces the file is
    /// picked up by the next generation of workers.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    public func run() -> Int32 {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        _ = tmfcgi_ignore_signal(SIGPIPE)
        let signalFD = signalfd(-1, &signals, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard signalFD >= 0 else {
            logger.critical("signalfd failed", metadata: ["error": "\(errnoText())"])
            return 1
        }
        do {
            listenFD = try Listener.open(configuration.listen, socketMode: configuration.socketMode)
        } catch {
            logger.critical("cannot listen", metadata: ["address": "\(configuration.listen)", "error": "\(error)"])
            return 1
        }
        logger.info(
            "master started",
            metadata: [
                "pid": "\(getpid())", "listen": "\(configuration.listen)", "workers": "\(configuration.workers)",
                "threads": "\(configuration.threads)", "max_requests": "\(configuration.maxRequests)",
            ])
        if configuration.metrics {
            metrics = MetricsRegion.create(path: MetricsRegion.path(masterPID: getpid()))
            if metrics == nil { logger.warning("metrics disabled: the shared region could not be created") }
            metrics?.set(MetricCatalog.poolWorkers, Int64(configuration.workers))
            metrics?.set(MetricCatalog.poolThreads, Int64(configuration.workers * configuration.threads))
        }
        for slot in 0..<configuration.workers { spawn(slot: slot, generation: generation) }

        while true {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            let order = Array(workers.keys)
            for pid in order { fds.append(pollfd(fd: workers[pid]!.control, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { handleSignals(signalFD) }
            for (index, pid) in order.enumerated() where fds[index + 1].revents != 0 { readControl(pid) }
            reapChildren()
            runTimers()
            if let deadline = shutdownDeadline {
                if workers.isEmpty { break }
                if now() >= deadline {
                    logger.warning("shutdown timeout: killing workers", metadata: ["remaining": "\(workers.count)"])
                    for pid in workers.keys { kill(pid, SIGKILL) }
                    shutdownDeadline = now() + 5
                }
            }
        }
        close(listenFD)
        if case .unix(let path) = configuration.listen { unlink(path) }
        logger.info("master stopped", metadata: ["pid": "\(getpid())"])
        return 0
    }

    private func handleSignals(_ signalFD: Int32) {
        var info = signalfd_siginfo()
        while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGTERM, SIGINT, SIGQUIT:
                guard shutdownDeadline == nil else { continue }
                logger.info("shutdown requested", metadata: ["signal": "\(info.ssi_signo)", "workers": "\(workers.count)"])
                shutdownDeadline = now() + configuration.shutdownTimeout
                scheduledRespawns.removeAll()
                for pid in workers.keys { kill(pid, SIGTERM) }
            case SIGHUP:
                beginReload()
            default:
                break  // SIGCHLD: reaped below
            }
        }
    }

    private func beginReload() {
        guard shutdownDeadline == nil, pendingGeneration == nil else { return }
        let next = generation + 1
        pendingGeneration = next
        reloadDeadline = now() + configuration.readyTimeout
        logger.info("reload started", metadata: ["generation": "\(next)"])
        for slot in 0..<configuration.workers { spawn(slot: slot, generation: next) }
    }

    private func runTimers() {
        let time = now()
        if let pending = pendingGeneration {
            let fresh = workers.values.filter { $0.generation == pending }
            if fresh.count == configuration.workers && fresh.allSatisfy(\.ready) {
                for worker in workers.values where worker.generation < pending { retire(worker.pid) }
                generation = pending
                pendingGeneration = nil
                scheduledRespawns.removeAll()
                logger.info("reload complete", metadata: ["generation": "\(generation)"])
                metrics?.add(MetricCatalog.poolReloads)
            } else if time >= reloadDeadline {
                abandonReload(reason: "new workers not ready in time")
            }
        }
        guard shutdownDeadline == nil else { return }
        let due = scheduledRespawns.filter { $0.at <= time }
        scheduledRespawns.removeAll { $0.at <= time }
        for item in due { spawn(slot: item.slot, generation: generation) }
    }

    private func abandonReload(reason: String) {
        guard let pending = pendingGeneration else { return }
        logger.error("reload failed; keeping the running generation", metadata: ["reason": "\(reason)", "generation": "\(pending)"])
        for worker in workers.values where worker.generation == pending { retire(worker.pid) }
        pendingGeneration = nil
    }

    private func retire(_ pid: pid_t) {
        workers[pid]?.retiring = true
        kill(pid, SIGTERM)
    }

    private func readControl(_ pid: pid_t) {
        guard let worker = workers[pid] else { return }
        var byte: UInt8 = 0
        while read(worker.control, &byte, 1) == 1 {
            switch ControlMessage(rawValue: byte) {
            case .ready:
                workers[pid]?.ready = true
            case .retiring:
                guard !worker.retiring else { continue }
                workers[pid]?.retiring = true
                if shutdownDeadline == nil && worker.generation == generation {
                    logger.info("worker recycling", metadata: ["pid": "\(pid)", "slot": "\(worker.slot)"])
                    spawn(slot: worker.slot, generation: generation)
                }
            case nil:
                break
            }
        }
    }

    private func reapChildren() {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let worker = workers.removeValue(forKey: pid) else { continue }
            close(worker.control)
            let signaled = (status & 0x7f) != 0
            let code = (status >> 8) & 0xff
            let crashed = signaled || code != 0
            var metadata: Logger.Metadata = ["pid": "\(pid)", "slot": "\(worker.slot)", "generation": "\(worker.generation)"]
            metadata[signaled ? "signal" : "exit_code"] = "\(signaled ? status & 0x7f : code)"
            if shutdownDeadline != nil || worker.retiring || worker.generation < generation {
                logger.info("worker exited", metadata: metadata)
                continue
            }
            if worker.generation == pendingGeneration {
                logger.error("new worker died during reload", metadata: metadata)
                abandonReload(reason: "a new worker exited")
                continue
            }
            logger.error(crashed ? "worker crashed" : "worker exited unexpectedly", metadata: metadata)
            metrics?.add(MetricCatalog.poolRestarts)
            scheduleRespawn(slot: worker.slot)
        }
    }

    /// Restarts at once, unless five workers died within ten seconds: then waits 1, 2, 4 …
    /// up to 30 seconds, so a crash loop does not burn the machine.
    private func scheduleRespawn(slot: Int) {
        let time = now()
        crashTimes.append(time)
        crashTimes.removeAll { time - $0 > 10 }
        let excess = crashTimes.count - 5
        if excess < 0 {
            spawn(slot: slot, generation: generation)
            return
        }
        let delay = min(30, Double(1 << min(excess, 5)))
        logger.warning("crash loop brake", metadata: ["slot": "\(slot)", "delay_s": "\(delay)"])
        scheduledRespawns.append((slot, time + delay))
    }

    private func spawn(slot: Int, generation: Int) {
        var pipeFDs: [Int32] = [0, 0]
        guard tmfcgi_pipe_cloexec(&pipeFDs) == 0 else {
            logger.error("pipe failed", metadata: ["error": "\(errnoText())"])
            scheduledRespawns.append((slot, now() + 1))
            return
        }
        // Move the write end high so dup2 to fd 3 never finds it already at 3.
        let writeEnd = tmfcgi_dup_cloexec_above(pipeFDs[1], 100)
        close(pipeFDs[1])
        _ = tmfcgi_fcntl_setfl(pipeFDs[0], tmfcgi_fcntl_getfl(pipeFDs[0]) | O_NONBLOCK)
        let listenHigh = tmfcgi_dup_cloexec_above(listenFD, 100)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, listenHigh, WorkerDescriptors.listen)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, WorkerDescriptors.control)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = [executable] + workerArguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var environment = ProcessEnvironment.current()
        environment.removeValue(forKey: "LISTEN_FDS")
        environment.removeValue(forKey: "LISTEN_PID")
        environment.removeValue(forKey: "LISTEN_FDNAMES")
        environment["TM_WORKER_SLOT"] = "\(slot)"
        environment["TM_WORKER_GENERATION"] = "\(generation)"
        if metrics != nil { environment["TM_METRICS_REGION"] = MetricsRegion.path(masterPID: getpid()) }
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attributes)
        close(writeEnd)
        close(listenHigh)
        guard rc == 0 else {
            close(pipeFDs[0])
            logger.error("spawn failed", metadata: ["error": "\(errnoText(rc))", "executable": "\(executable)"])
            scheduleRespawn(slot: slot)
            return
        }
        workers[pid] = Worker(pid: pid, slot: slot, generation: generation, control: pipeFDs[0])
        logger.info("worker started", metadata: ["pid": "\(pid)", "slot": "\(slot)", "generation": "\(generation)"])
    }

    private func now() -> Double {
        Double(Clock.monotonicNanoseconds()) / 1e9
    }
}

/// The process environment as a dictionary.
public enum ProcessEnvironment {
    /// `environ` now.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer = pointer.advanced(by: 1)
        }
        return result
    }
}
