import CFastCGI
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A serving thread. While idle it waits in `epoll_wait` on the worker's shared epoll set;
/// the kernel wakes one waiting thread per event. Every socket in the set is one-shot, so an
/// event hands its socket to exactly one thread:
/// - the listening socket: accept the connections waiting, add them to the set, re-arm the
///   listener, and serve the first one whose request is already there;
/// - a kept connection with input: serve exactly one request on it with libfcgi, then give
///   it back to the set (re-arm), or close it when nginx asked for no keep-alive or closed it;
/// - the wake eventfd (level-triggered, readable for good once the worker stops): serve what
///   is already readable and then leave.
///
/// So a kept connection holds a thread only while a request on it is being served, and a
/// thread that is busy waits for nothing else. A process whose threads are all busy has no
/// thread in `epoll_wait` and accepts nothing: new connections go to a process with a free
/// thread. No signal interrupts a request in flight.
final class ServerThread: @unchecked Sendable {
    private let respond: (Request, LogBuffer?) -> Response
    private let respondToUnknownMethod: (String, String, String, String) -> Response
    private let log = LogBuffer()
    private let state: WorkerState
    private let logger: Logger
    private var raw = FCGX_Request()

    init<Context>(application: Application<Context>, state: WorkerState, logger: Logger, index: Int) {
        self.respond = application.respond(to:log:)
        self.respondToUnknownMethod = application.respond(toUnknownMethod:path:uri:requestID:)
        self.state = state
        self.logger = logger
    }

    func run() {
        // listen_sock -1: libfcgi never accepts on its own; we hand it connections.
        FCGX_InitRequest(&raw, -1, 0)
        let listen = WorkerDescriptors.listen
        var ready = [Int32](repeating: -1, count: 16)
        while true {
            let stopping = state.stopping.load(ordering: .relaxed)
            // Running: one event at a time; when none is pending, flush the log, then wait.
            // Stopping: everything pending, never waiting.
            var count = ready.withUnsafeMutableBufferPointer {
                tmfcgi_epoll_wait(state.epollFD, $0.baseAddress, stopping ? Int32($0.count) : 1, 0)
            }
            if count == 0 && !stopping {
                // Nothing to do: write the buffered log lines, then wait.
                log.flush()
                count = ready.withUnsafeMutableBufferPointer { tmfcgi_epoll_wait(state.epollFD, $0.baseAddress, 1, -1) }
            }
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("epoll_wait failed", metadata: ["error": "\(errnoText())"])
                break
            }
            var servedAny = false
            for index in 0..<Int(count) {
                let fd = ready[index]
                if fd == state.wakeFD { continue }
                if fd == listen {
                    // Stopping: the listener stays disarmed; the next generation accepts.
                    if !stopping, let connection = acceptPending() { serve(connection) }
                    continue
                }
                serve(fd)
                servedAny = true
            }
            if stopping && !servedAny { break }
        }
        log.flush()
    }

    /// Serves one request on `connection`, then re-arms it or closes it. While the worker is
    /// stopping, it serves every request already sent on it and then closes it: nginx is
    /// waiting for those.
    private func serve(_ connection: Int32) {
        var connection = connection
        while true {
            raw.ipcFd = connection
            raw.keepConnection = 1  // stops FCGX_Accept_r's implicit finish from closing our socket
            guard FCGX_Accept_r(&raw) >= 0 else { return }  // libfcgi closed it (peer closed or protocol error)
            respond(to: &raw)
            FCGX_Finish_r(&raw)
            let served = state.served.add(1, ordering: .relaxed).newValue
            if served == state.maxRequests {
                kill(getpid(), SIGUSR1)
            }
            connection = raw.ipcFd
            guard connection >= 0 else { return }  // nginx did not ask to keep it: libfcgi closed it
            if !state.stopping.load(ordering: .relaxed) {
                if tmfcgi_epoll_rearm(state.epollFD, connection) != 0 { close(connection) }
                return
            }
            if tmfcgi_readable_now(connection) == 0 {
                close(connection)
                return
            }
        }
    }

    private func respond(to raw: inout FCGX_Request) {
        guard let request = FastCGIRequest.make(&raw, unknownMethod: respondToUnknownMethod) else { return }
        let response = respond(request, log)
        do {
            try FastCGIRequest.write(response, to: &raw, requestID: request.requestID)
        } catch {
            // A streamed body failed after its headers: the answer is cut short; say why in the log.
            raw.keepConnection = 0
            logger.error(
                "streamed body ended early",
                metadata: [
                    "request_id": "\(request.requestID)", "path": "\(request.path)",
                    "error": "\(String(reflecting: error))",
                ])
        }
        // Unread input would be parsed as the next request on a kept connection: drain a
        // little, else close the connection.
        if !request.body.drain(maxBytes: 1 << 20) { raw.keepConnection = 0 }
    }

    /// Accepts every connection waiting in the backlog (the listener is non-blocking; at
    /// most 64), adds them to the epoll set and re-arms the listener. Returns the first one
    /// whose request is already there, for this thread to serve at once (it joins the set
    /// when `serve` gives it back). Taking them all in
    /// one turn matters under load: the listener's next turn comes only after every
    /// connection ready before it.
    private func acceptPending() -> Int32? {
        let listen = WorkerDescriptors.listen
        var first: Int32?
        accepting: for _ in 0..<64 {
            let fd = tmfcgi_accept_cloexec(listen)
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: break accepting  // the backlog is empty (or another took it)
                case EINTR, ECONNABORTED, EPROTO: continue accepting
                default:
                    logger.error("accept failed", metadata: ["error": "\(errnoText())"])
                    usleep(10_000)  // EMFILE and friends: back off instead of spinning
                    break accepting
                }
            }
            if first == nil && tmfcgi_readable_now(fd) != 0 {
                first = fd
            } else if tmfcgi_epoll_add(state.epollFD, fd, 1) != 0 {
                close(fd)
            }
        }
        _ = tmfcgi_epoll_rearm(state.epollFD, listen)
        return first
    }
}
