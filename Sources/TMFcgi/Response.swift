/// An HTTP response: status, headers and a body held in memory, or a body streamed by
/// ``stream`` after the headers are sent.
public struct Response: Sendable {
    /// Writes a piece of a streamed body.
    public typealias BodyWriter = (UnsafeRawBufferPointer) throws -> Void

    /// The status line.
    public var status: HTTPStatus
    /// Header fields (the responder adds `X-Request-ID`).
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]
    /// A body too large to hold: called after the headers are written, it hands the body
    /// to the writer piece by piece (no `Content-Length`; nginx frames it for the client).
    /// An error it throws ends the body early and is logged (the status is already sent).
    public var stream: (@Sendable (BodyWriter) throws -> Void)?

    /// A response with raw bytes.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body `stream` writes after the headers.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), stream: @escaping @Sendable (BodyWriter) throws -> Void) {
        self.init(status: status, headers: headers, body: [])
        self.stream = stream
    }

    /// A JSON response from already-encoded text.
    public static func json(_ text: String, status: HTTPStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        return Response(status: status, headers: headers, body: Array(text.utf8))
    }

    /// A problem rendered as `application/problem+json`.
    public static func problem(_ problem: Problem, instance: String, requestID: String) -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/problem+json")
        for (name, value) in problem.headers { headers.add(name, value) }
        return Response(
            status: problem.status, headers: headers,
            body: Array(problem.json(instance: instance, requestID: requestID).utf8))
    }
}

/// Anything a handler may return: a `Response`, an encodable value, `Created`, `NoContent`.
public protocol ResponseGenerator: SendableMetatype {
    /// The response for this value.
    func response(for request: Request) throws -> Response
}

extension Response: ResponseGenerator {
    public func response(for request: Request) throws -> Response { self }
}

/// An `Encodable` value answered as `200 OK` JSON. Conform your API types to it.
public protocol ResponseEncodable: Encodable, ResponseGenerator {}

extension ResponseEncodable {
    public func response(for request: Request) throws -> Response {
        try JSONCoding.response(self, status: .ok)
    }
}

/// `201 Created` with a `Location` header and the created resource as JSON.
public struct Created<Value: Encodable>: ResponseGenerator {
    /// The created resource.
    public let value: Value
    /// Where it lives.
    public let location: String

    /// Wraps `value` created at `location`.
    public init(_ value: Value, location: String) {
        self.value = value
        self.location = location
    }

    public func response(for request: Request) throws -> Response {
        var response = try JSONCoding.response(value, status: .created)
        response.headers.add("Location", location)
        return response
    }
}

/// `204 No Content`.
public struct NoContent: ResponseGenerator {
    /// The empty answer.
    public init() {}
    public func response(for request: Request) throws -> Response { Response(status: .noContent) }
}
