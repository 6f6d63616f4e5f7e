internal import Security

/// An HTTP request as nginx handed it over FastCGI.
public final class Request {
    /// The method (unknown methods are rejected before a `Request` is built).
    public let method: HTTPMethod
    /// The path, still percent-encoded, without the query.
    public let path: String
    /// The raw query string, without `?`.
    public let query: String
    /// Request header fields.
    public let headers: HTTPHeaders
    /// The client's address as nginx saw it.
    public let clientAddress: String
    /// The request id nginx generated (or a fresh one when absent).
    public let requestID: String
    /// The body, read on demand.
    public let body: RequestBody
    /// FastCGI parameters named `TM_*`: set by nginx's configuration for the location that
    /// passed the request (`fastcgi_param TM_METRICS_ENDPOINT 1;`), never by the client,
    /// whose headers arrive as `HTTP_*`.
    public let serverParameters: [String: String]
    /// Extra fields for this request's log line (middleware adds `user_id` once it knows it).
    public var logFields: [(String, String)] = [] {
        didSet { slowEntry?.fields.withLock { $0 = logFields } }
    }
    /// The slow-request watchdog's view of this request (it reads `logFields` from another thread).
    var slowEntry: SlowRequestLog.Entry?

    /// A request; the body defaults to empty.
    public init(
        method: HTTPMethod, path: String, query: String = "", headers: HTTPHeaders = HTTPHeaders(),
        clientAddress: String = "127.0.0.1", requestID: String = RequestID.generate(),
        body: RequestBody = RequestBody(bytes: []), serverParameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.clientAddress = clientAddress
        self.requestID = requestID
        self.body = body
        self.serverParameters = serverParameters
    }

    /// The path plus query, as the client sent it: the problem `instance`.
    public var uri: String { query.isEmpty ? path : path + "?" + query }

    /// The media type of the body, lower-cased, without parameters.
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return base.trimmingSpaces.lowercased()
    }

    private var parsedQuery: [String: String]?

    /// Query parameters, percent-decoded; the last value wins for repeated names. A malformed
    /// query string is a 400 problem (see ``URLEncodedForm``).
    public var queryItems: [String: String] {
        get throws {
            if let parsedQuery { return parsedQuery }
            let items = try URLEncodedForm.parse(query, source: "query string")
            parsedQuery = items
            return items
        }
    }

    /// The fields of an `application/x-www-form-urlencoded` body (415 for another type, 400
    /// when malformed, see ``URLEncodedForm``).
    public func formFields() throws -> [String: String] {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw Problem(
                .unsupportedMediaType, detail: "Send the body as application/x-www-form-urlencoded.",
                headers: [("Accept", "application/x-www-form-urlencoded")])
        }
        return try URLEncodedForm.parse(String(decoding: try body.collect(), as: UTF8.self), source: "form body")
    }

    /// Decodes a JSON body: 415 unless the type is JSON, 413 past the limit, 400 when it is
    /// not JSON, 422 when a field is missing or of the wrong type.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decode(type, from: try jsonBytes())
    }

    /// Decodes a JSON body as ``decode(_:)`` does, with its meaning (see
    /// ``JSONCoding/decodeWithMeaning(_:from:)``) for an `Idempotency-Key` check.
    public func decodeWithMeaning<T: Decodable>(_ type: T.Type) throws -> (value: T, meaning: [UInt8]) {
        try JSONCoding.decodeWithMeaning(type, from: try jsonBytes())
    }

    /// The bytes of a JSON body, for a handler that needs them as sent (e.g. to hash them for
    /// an `Idempotency-Key`): 415 unless the type is JSON, 413 past the limit, 400 when empty.
    public func jsonBytes() throws -> [UInt8] {
        guard let mediaType, mediaType == "application/json" || mediaType.hasSuffix("+json") else {
            throw Problem(
                .unsupportedMediaType, detail: "Send the body as application/json.",
                headers: [("Accept", "application/json")])
        }
        let bytes = try body.collect()
        guard !bytes.isEmpty else {
            throw Problem(
                .badRequest, type: "/problems/malformed-json", title: "Malformed JSON",
                detail: "The request body is empty; a JSON document is required.")
        }
        return bytes
    }
}

/// Request ids: nginx's `$request_id` when present, else 32 random hex digits.
public enum RequestID {
    /// A fresh random id.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in generator.next() as UInt8 })
    }

    /// Whether `value` is safe to echo and log as an id: 1–64 of `[A-Za-z0-9._-]`.
    public static func isValid(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        return bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 || $0 == 95 }
    }
}

/// RFC 3986 percent-decoding.
public enum PercentDecoding {
    /// `value` decoded, or nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ value: String, plusAsSpace: Bool = false) -> String? {
        guard value.utf8.contains(where: { $0 == 37 || (plusAsSpace && $0 == 43) }) else { return value }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var iterator = value.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == 37 {
                guard let high = iterator.next().flatMap(Hex.digitValue), let low = iterator.next().flatMap(Hex.digitValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusAsSpace && byte == 43 {
                bytes.append(32)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional white space).
    public var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
