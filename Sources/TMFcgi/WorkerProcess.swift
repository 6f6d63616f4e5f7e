#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import Logging
import Synchronization

/// The file descriptors a worker process inherits from the master.
public enum WorkerDescriptors {
    /// The listening socket (libfcgi's convention: fd 0).
    public static let listen: Int32 = 0
    /// The write end of the control pipe to the master.
    public static let control: Int32 = 3
}

/// Messages a worker writes on its control pipe.
enum ControlMessage: UInt8 {
    /// All threads are accepting.
    case ready = 82 // "R"
    /// Reached max_requests: start my replacement; I am draining.
    case retiring = 88 // "X"
}

/// State shared by a worker's threads.
final class WorkerState: Sendable {
    let stopping = Atomic<Bool>(false)
    let served = Atomic<Int>(0)
    let maxRequests: Int
    let wakeFD: Int32

    init(maxRequests: Int, wakeFD: Int32) {
        self.maxRequests = maxRequests
        self.wakeFD = wakeFD
    }

    /// Tells every thread to stop taking new work: the eventfd stays readable forever after.
    func stop() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}

/// One worker process: T threads, each owning one FastCGI request and accepting on the
/// shared listening socket. SIGTERM drains in-flight requests and exits.
public enum WorkerProcess {
    /// Runs the worker until it is told to stop or reaches `maxRequests`; returns the exit code.
    public static func run<Context>(application: Application<Context>, threads: Int, maxRequests: Int, logger: Logger) -> Int32 {
        // Block the signals we wait for before any thread exists, so every thread inherits the mask.
        var waitSet = sigset_t()
        sigemptyset(&waitSet)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1] { sigaddset(&waitSet, signal) }
        pthread_sigmask(SIG_BLOCK, &waitSet, nil)
        _ = tmfcgi_ignore_signal(SIGPIPE)
        _ = tmfcgi_set_parent_death_signal(SIGTERM)

        guard FCGX_Init() == 0 else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        _ = tmfcgi_ignore_signal(SIGPIPE)
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        let state = WorkerState(maxRequests: maxRequests, wakeFD: wake)
        var workers: [pthread_t] = []
        for index in 0..<max(1, threads) {
            let thread = ServerThread(application: application, state: state, logger: logger, index: index)
            var handle = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 1 << 20)
            let box = Unmanaged.passRetained(thread).toOpaque()
            let rc = pthread_create(&handle, &attributes, { raw in
                let thread = Unmanaged<ServerThread>.fromOpaque(raw!).takeRetainedValue()
                thread.run()
                return nil
            }, box)
            pthread_attr_destroy(&attributes)
            if rc != 0 {
                logger.critical("pthread_create failed", metadata: ["error": "\(errnoText(rc))"])
                state.stop()
                break
            }
            workers.append(handle)
        }
        sendControl(.ready)
        logger.debug("worker ready", metadata: ["pid": "\(getpid())", "threads": "\(workers.count)"])

        var received: Int32 = 0
        while !state.stopping.load(ordering: .sequentiallyConsistent) {
            guard sigwait(&waitSet, &received) == 0 else { continue }
            if received == SIGUSR1 {
                sendControl(.retiring)
                logger.info("worker recycling", metadata: ["pid": "\(getpid())", "served": "\(state.served.load(ordering: .relaxed))"])
            } else if received == SIGHUP {
                continue
            }
            state.stop()
        }
        for handle in workers { pthread_join(handle, nil) }
        logger.debug("worker exiting", metadata: ["pid": "\(getpid())"])
        return 0
    }

    static func sendControl(_ message: ControlMessage) {
        var byte = message.rawValue
        _ = write(WorkerDescriptors.control, &byte, 1)
    }
}

/// A serving thread. It does its own accept and keep-alive waiting with `poll`, so a stop
/// wakes it at once through the eventfd, and hands connected sockets to libfcgi, which
/// only parses records. No signals interrupt a request in flight.
final class ServerThread: @unchecked Sendable {
    private let respond: (Request) -> Response
    private let respondToUnknownMethod: (String, String, String, String) -> Response
    private let state: WorkerState
    private let logger: Logger

    init<Context>(application: Application<Context>, state: WorkerState, logger: Logger, index: Int) {
        self.respond = application.respond(to:)
        self.respondToUnknownMethod = application.respond(toUnknownMethod:path:uri:requestID:)
        self.state = state
        self.logger = logger
    }

    func run() {
        var raw = FCGX_Request()
        // listen_sock -1: libfcgi never accepts on its own; we hand it connections.
        FCGX_InitRequest(&raw, -1, 0)
        var connection: Int32 = -1
        while true {
            if connection < 0 {
                guard let accepted = acceptConnection() else { break }
                connection = accepted
            } else if !waitForRequest(on: connection) {
                close(connection)
                connection = -1
                break
            }
            raw.ipcFd = connection
            raw.keepConnection = 1 // stops FCGX_Accept_r's implicit finish from closing our socket
            if FCGX_Accept_r(&raw) < 0 {
                connection = -1 // libfcgi closed it (peer closed or protocol error)
                continue
            }
            serve(&raw)
            FCGX_Finish_r(&raw)
            connection = raw.ipcFd
            let served = state.served.add(1, ordering: .relaxed).newValue
            if served == state.maxRequests {
                kill(getpid(), SIGUSR1)
            }
        }
    }

    private func serve(_ raw: inout FCGX_Request) {
        guard let request = FastCGIRequest.make(&raw, unknownMethod: respondToUnknownMethod) else { return }
        let response = respond(request)
        FastCGIRequest.write(response, to: &raw, requestID: request.requestID)
        // Unread input would be parsed as the next request on a kept connection: drain a
        // little, else close the connection.
        if !request.body.drain(maxBytes: 1 << 20) { raw.keepConnection = 0 }
    }

    /// Waits for a new connection; nil when the worker is stopping.
    private func acceptConnection() -> Int32? {
        var fds = [pollfd(fd: WorkerDescriptors.listen, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: state.wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            if state.stopping.load(ordering: .relaxed) { return nil }
            let ready = poll(&fds, 2, -1)
            if ready < 0 { if errno == EINTR { continue }; return nil }
            if fds[1].revents != 0 { return nil }
            let fd = tmfcgi_accept_cloexec(WorkerDescriptors.listen)
            if fd >= 0 { return fd }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO: continue
            default:
                logger.error("accept failed", metadata: ["error": "\(errnoText())"])
                usleep(10_000) // EMFILE and friends: back off instead of spinning
            }
        }
    }

    /// Waits on a kept connection; false when the worker is stopping and nothing is pending.
    private func waitForRequest(on connection: Int32) -> Bool {
        var fds = [pollfd(fd: connection, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: state.wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 { if errno == EINTR { continue }; return false }
            // A request already sent is served even while stopping: nginx is waiting for it.
            if fds[0].revents != 0 { return true }
            if fds[1].revents != 0 { return false }
        }
    }
}
