import CFastCGI
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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
    case ready = 82  // "R"
    /// Reached max_requests: start my replacement; I am draining.
    case retiring = 88  // "X"
}

/// State shared by a worker's threads.
final class WorkerState: Sendable {
    let stopping = Atomic<Bool>(false)
    let served = Atomic<Int>(0)
    let maxRequests: Int
    /// An eventfd that becomes readable, for good, when the worker stops.
    let wakeFD: Int32
    /// The epoll instance every idle thread waits on: the listening socket (one-shot), the
    /// wake eventfd (level-triggered) and every idle kept connection (one-shot).
    let epollFD: Int32

    init(maxRequests: Int, wakeFD: Int32, epollFD: Int32) {
        self.maxRequests = maxRequests
        self.wakeFD = wakeFD
        self.epollFD = epollFD
    }

    /// Tells every thread to stop taking new work: the eventfd stays readable forever after.
    func stop() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}

/// One worker process: T threads sharing one epoll set that holds the listening socket and
/// every idle kept connection, so an idle connection costs no thread (see ``ServerThread``).
/// SIGTERM drains in-flight requests, and requests already sent, and exits.
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
        let epoll = tmfcgi_epoll_create()
        // Accepts must not block when another process or thread took the connection first.
        // (The flag is on the shared socket; every worker generation polls before accepting.)
        let listen = WorkerDescriptors.listen
        _ = tmfcgi_fcntl_setfl(listen, tmfcgi_fcntl_getfl(listen) | O_NONBLOCK)
        guard wake >= 0, epoll >= 0, tmfcgi_epoll_add(epoll, wake, 0) == 0, tmfcgi_epoll_add(epoll, listen, 1) == 0 else {
            logger.critical("epoll setup failed", metadata: ["error": "\(errnoText())"])
            return 1
        }
        let state = WorkerState(maxRequests: maxRequests, wakeFD: wake, epollFD: epoll)
        var workers: [pthread_t] = []
        for index in 0..<max(1, threads) {
            let thread = ServerThread(application: application, state: state, logger: logger, index: index)
            var handle = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 1 << 20)
            let box = Unmanaged.passRetained(thread).toOpaque()
            let rc = pthread_create(
                &handle, &attributes,
                { raw in
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
