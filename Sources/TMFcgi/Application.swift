import Logging
import Metrics

#if canImport(Glibc)
import Glibc
#endif

/// Turns requests into responses: routing, 404/405, and the one place where errors become
/// RFC 9457 problems. Also writes the per-request log line, and counts the request in
/// `metrics` (by method, route template and status; latency by method and route template).
public final class Application<Context: RequestContext>: Sendable {
    /// The routes.
    public let router: Router<Context>
    private let logger: Logger
    private let pid: Int
    private let now: @Sendable () -> UInt64
    /// Where requests are counted, if anywhere.
    public var metrics: MetricsRegion? { counters?.region }
    private let counters: RequestMetrics?
    /// Logs requests that run long, while they run.
    private let slowRequests: SlowRequestLog?

    /// An application over `router`, logging with `logger`, counting in `metrics`, logging
    /// slow requests with `slowRequests`.
    public init(router: Router<Context>, logger: Logger, metrics: MetricsRegion? = nil, slowRequests: SlowRequestLog? = nil) {
        self.router = router
        self.logger = logger
        self.pid = Int(getpid())
        self.now = Clock.monotonicNanoseconds
        self.counters = metrics.map { RequestMetrics(region: $0, router: router) }
        self.slowRequests = slowRequests
    }

    /// The response for `request`. Never throws: every error becomes a problem here.
    public func respond(to request: Request) -> Response {
        respond(to: request, log: nil)
    }

    /// The response for `request`, its log line added to `buffer` (else written at once).
    func respond(to request: Request, log buffer: LogBuffer?) -> Response {
        let start = now()
        let watched = slowRequests?.begin(request, start: start)
        defer { if let watched { slowRequests?.end(watched) } }
        var requestLogger = logger
        requestLogger[metadataKey: "request_id"] = .string(request.requestID)
        var response: Response
        // Unmatched paths share one label, so probing cannot make series without bound.
        var route: String?
        counters?.begin()
        switch router.match(request.method, path: request.path) {
        case .found(let responder, let options, let parameters, let pattern):
            route = pattern
            request.body.limit = options.maxBodySize
            var context = Context(request: request, logger: requestLogger)
            context.parameters = parameters
            do {
                response = try responder(request, context)
            } catch {
                response = errorResponse(error, request: request, logger: requestLogger)
            }
        case .methodNotAllowed(let allowed):
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            if request.method == .options {
                response = Response(status: .noContent)
                response.headers.add("Allow", allow)
            } else {
                response = HTTPMethod.notAllowed(request.method.rawValue, allowed: allowed, uri: request.uri, requestID: request.requestID)
            }
        case .notFound:
            response = .problem(
                Problem(.notFound, detail: "No route for \(request.path)."),
                instance: request.uri, requestID: request.requestID)
        }
        response.headers.set("X-Request-ID", request.requestID)
        if request.method == .head {
            if response.stream == nil { response.headers.set("Content-Length", String(response.body.count)) }
            response.body = []
            response.stream = nil
        }
        let elapsed = now() - start
        counters?.end(method: request.method, route: route, status: response.status.code, seconds: Double(elapsed) / 1e9)
        log(request, response, nanoseconds: elapsed, logger: requestLogger, buffer: buffer)
        return response
    }

    /// The answer to a method this server does not know (`PROPFIND`, `FOO`): the client's
    /// error, so 405 with the `Allow` of `path`, or of the whole server when no route has
    /// that path (rather than 501, which would blame the server).
    public func respond(toUnknownMethod method: String, path: String, uri: String, requestID: String) -> Response {
        let allowed = router.allowedMethods(path: path) ?? HTTPMethod.allCases.sorted()
        return HTTPMethod.notAllowed(method, allowed: allowed, uri: uri, requestID: requestID)
    }

    /// The problem response for `error`; unexpected errors become a bare 500 whose body
    /// names only the request id, with the full error in the log.
    func errorResponse(_ error: any Error, request: Request, logger: Logger) -> Response {
        if let convertible = error as? any ProblemConvertible {
            let problem = convertible.problem
            if problem.status.code >= 500 {
                // The answer is generic; the log says why (SQLSTATE, constraint, message), with
                // the request id so a report can be matched to it. Errors carry no secrets.
                logger.error(
                    "request failed",
                    metadata: [
                        "status": "\(problem.status.code)", "detail": "\(problem.detail ?? "")",
                        "error": "\(String(reflecting: error))", "path": "\(request.path)",
                    ])
            }
            return .problem(problem, instance: request.uri, requestID: request.requestID)
        }
        logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.path)"])
        return .problem(
            Problem.unexpected,
            instance: request.uri, requestID: request.requestID)
    }

    /// The request's log line, built directly as bytes (this runs on every request): the
    /// same JSON shape as ``JSONLogHandler`` writes, one `write(2)` per line or per batch.
    private func log(_ request: Request, _ response: Response, nanoseconds: UInt64, logger: Logger, buffer: LogBuffer?) {
        guard logger.logLevel <= .info else { return }
        var line = LogLine(capacity: 384)
        line.append("{\"ts\":\"")
        line.appendTimestamp()
        line.append("\",\"level\":\"info\",\"logger\":")
        line.appendQuoted(logger.label)
        line.append(",\"msg\":\"request\",\"request_id\":")
        line.appendQuoted(request.requestID)
        line.append(",\"method\":")
        line.appendQuoted(request.method.rawValue)
        line.append(",\"path\":")
        line.appendQuoted(request.path)
        line.append(",\"status\":")
        line.append(response.status.code)
        line.append(",\"duration_ms\":")
        line.appendMilliseconds(nanoseconds)
        line.append(",\"pid\":")
        line.append(pid)
        line.append(",\"client\":")
        line.appendQuoted(request.clientAddress)
        for (name, value) in request.logFields {
            line.append(",")
            line.appendQuoted(name)
            line.append(":")
            line.appendQuoted(value)
        }
        line.append("}\n")
        if let buffer { buffer.append(line) } else { line.write() }
    }
}
