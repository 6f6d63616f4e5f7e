#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import Logging

/// TEMPORARY (comparison only): the previous design, a thread pinned to its kept connection.
/// A serving thread. It does its own accept and keep-alive waiting with `poll`, so a stop
/// wakes it at once through the eventfd, and hands connected sockets to libfcgi, which
/// only parses records. No signals interrupt a request in flight.
final class PinnedServerThread: @unchecked Sendable {
    private let respond: (Request) -> Response
    private let state: WorkerState
    private let logger: Logger

    init<Context>(application: Application<Context>, state: WorkerState, logger: Logger, index: Int) {
        self.respond = application.respond(to:)
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
        guard let request = FastCGIRequest.make(&raw) else { return }
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
