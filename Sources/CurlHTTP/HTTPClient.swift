internal import CCurl
import Foundation

/// A blocking HTTP client on libcurl, for services outside our control (the TradeMaster
/// service today; model downloads and import-by-URL later).
///
/// Whatever the server sends, a call returns a response or throws ``HTTPClientError``: the
/// parsing (status line, headers, chunked bodies) is libcurl's, and every call is bounded
/// in time (`connectTimeout`, `timeout`), in size (`maxBodyBytes`, `maxHeaderBytes`) and in
/// redirects (`maxRedirects`, none by default). Only `http` and `https` are spoken, no
/// proxy from the environment is used and no compressed encoding is asked for (so a small
/// answer cannot expand into a large one). One easy handle per call: safe from any thread.
public struct HTTPClient: Sendable {
    /// The deadline for a whole exchange, in seconds.
    public var timeout: Double
    /// The deadline for the TCP (and TLS) connection, in seconds; capped by `timeout`.
    public var connectTimeout: Double
    /// The largest body accepted; a larger one (announced or streamed) is ``HTTPClientError/responseTooLarge(_:)``.
    public var maxBodyBytes: Int
    /// The largest total size of the response's header lines.
    public var maxHeaderBytes: Int
    /// Redirects followed (http and https only); 0 returns the 3xx response itself.
    public var maxRedirects: Int
    /// A unix socket to connect to instead of the URL's host and port (the URL still gives
    /// the path and the `Host` header): how the real-time publisher reaches nginx.
    public var unixSocketPath: String?

    /// A client with these limits.
    public init(
        timeout: Double = 5, connectTimeout: Double = 2, maxBodyBytes: Int = 16 << 20,
        maxHeaderBytes: Int = 64 << 10, maxRedirects: Int = 0, unixSocketPath: String? = nil
    ) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRedirects = maxRedirects
        self.unixSocketPath = unixSocketPath
    }

    /// Initialises libcurl for the process. `curl_global_init` must not race with other
    /// threads on older libcurl builds, so a worker calls this once before it starts its
    /// threads; `send` also calls it (a `static let` runs once whatever the concurrency).
    /// Returns whether libcurl is usable.
    @discardableResult
    public static func initializeLibrary() -> Bool { libraryReady }

    private static let libraryReady: Bool = tm_curl_global_init() == CURLE_OK

    /// Sends one request and reads the whole response.
    /// - Throws: ``HTTPClientError``: `invalidURL` or `invalidRequest` before anything is
    ///   sent; `unreachable`, `timeout`, `responseTooLarge` or `malformedResponse` after.
    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(HTTPClientError) -> HTTPClientResponse
    {
        try perform(
            method: method, url: url, headers: headers, body: body, resolve: nil,
            collector: ResponseCollector(maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes))
    }

    /// GETs `url` and hands the body of a 200 answer to `sink` piece by piece as it arrives
    /// (never holding it whole; a body of another status is dropped and returned empty).
    /// `resolve` pins the connection to addresses (curl's `HOST:PORT:ADDRESS`), so a name
    /// checked before cannot resolve elsewhere when it is fetched (DNS rebinding).
    /// - Throws: what `sink` threw, or ``HTTPClientError``.
    public func stream(url: String, resolve: String?, into sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPClientResponse {
        let collector = ResponseCollector(maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes)
        collector.sink = sink
        do {
            return try perform(method: "GET", url: url, headers: [], body: [], resolve: resolve, collector: collector)
        } catch {
            if let sinkError = collector.sinkError { throw sinkError }
            throw error
        }
    }

    private func perform(
        method: String, url: String, headers: [(String, String)], body: [UInt8], resolve: String?,
        collector: ResponseCollector
    ) throws(HTTPClientError) -> HTTPClientResponse {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            !url.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F })
        else { throw .invalidURL(url) }
        guard !method.isEmpty, method.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            throw .invalidRequest("method \(method)")
        }
        for (name, value) in headers {
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x3A || $0 == 0x7F }),
                !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
            else { throw .invalidRequest("header \(name)") }
        }
        guard Self.libraryReady else { throw .unreachable("libcurl could not be initialised") }
        guard let handle = curl_easy_init() else { throw .unreachable("libcurl could not make a handle") }
        defer { curl_easy_cleanup(handle) }

        var list: UnsafeMutablePointer<curl_slist>?
        // curl adds `Expect: 100-continue` to larger bodies and waits a second for it: no.
        for line in headers.map({ "\($0.0): \($0.1)" }) + ["Expect:"] { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        let pins: UnsafeMutablePointer<curl_slist>? = resolve.map { curl_slist_append(nil, $0) } ?? nil
        defer { if let pins { curl_slist_free_all(pins) } }

        let context = Unmanaged.passUnretained(collector).toOpaque()
        let totalMs = max(1, Int(min(timeout, 86_400) * 1000))
        let connectMs = max(1, min(totalMs, Int(min(connectTimeout, 86_400) * 1000)))
        var status = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) { if status == CURLE_OK { status = tm_curl_setopt_long(handle, option, value) } }
        func set(_ option: CURLoption, _ value: String) { if status == CURLE_OK { status = tm_curl_setopt_string(handle, option, value) } }

        set(CURLOPT_URL, url)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        set(CURLOPT_FOLLOWLOCATION, maxRedirects > 0 ? 1 : 0)
        set(CURLOPT_MAXREDIRS, max(0, maxRedirects))
        set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for DNS timeouts: we are multi-threaded
        set(CURLOPT_PROXY, "")  // not from http_proxy: the service is on our network
        set(CURLOPT_CONNECTTIMEOUT_MS, connectMs)
        set(CURLOPT_TIMEOUT_MS, totalMs)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        set(CURLOPT_HTTP09_ALLOWED, 0)
        set(CURLOPT_USERAGENT, "trademaster-backend")
        if let unixSocketPath { set(CURLOPT_UNIX_SOCKET_PATH, unixSocketPath) }
        if status == CURLE_OK { status = tm_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBodyBytes)) }
        if status == CURLE_OK { status = tm_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list) }
        if status == CURLE_OK, let pins { status = tm_curl_setopt_slist(handle, CURLOPT_RESOLVE, pins) }
        if status == CURLE_OK {
            status = tm_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
                return collector.appendBody(data, size * count) ? size * count : 0
            }
        }
        if status == CURLE_OK {
            status = tm_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
                return collector.appendHeaderLine(data, size * count) ? size * count : 0
            }
        }
        if status == CURLE_OK { status = tm_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context) }
        if status == CURLE_OK { status = tm_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context) }

        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            // COPYPOSTFIELDS copies exactly POSTFIELDSIZE bytes, NULs included.
            if status == CURLE_OK { status = tm_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
            let bytes = body.isEmpty ? [0] : body
            bytes.withUnsafeBytes { raw in
                if status == CURLE_OK {
                    status = tm_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                }
            }
            if method != "POST" { set(CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "HEAD" {
            set(CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            set(CURLOPT_CUSTOMREQUEST, method)
        }
        guard status == CURLE_OK else { throw .invalidRequest(String(cString: curl_easy_strerror(status))) }

        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let result = errorText.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            let set = tm_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress))
            guard set == CURLE_OK else { return set }
            let result = curl_easy_perform(handle)
            _ = tm_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            return result
        }
        guard result == CURLE_OK else {
            let detail = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw Self.error(
                for: result, detail: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail,
                collector: collector)
        }
        var code = 0
        _ = tm_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        guard (100...999).contains(code) else { throw .malformedResponse("status \(code)") }
        // libcurl takes a connection closed inside the header section as its end, and the
        // last of conflicting Content-Length fields: neither is a valid answer.
        guard collector.headersComplete else { throw .malformedResponse("connection closed in the header section") }
        if let lengths = collector.headers["content-length"],
            Set(lengths.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }).count > 1
        {
            throw .malformedResponse("conflicting Content-Length fields")
        }
        return HTTPClientResponse(status: code, headers: collector.headers, body: collector.body)
    }

    private static func error(for code: CURLcode, detail: String, collector: ResponseCollector) -> HTTPClientError {
        if collector.bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED { return .responseTooLarge(collector.maxBodyBytes) }
        if collector.headersTooLarge { return .malformedResponse("header lines larger than \(collector.maxHeaderBytes) bytes") }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_SSL_CONNECT_ERROR,
            CURLE_PEER_FAILED_VERIFICATION:
            return .unreachable(detail)
        case CURLE_RECV_ERROR:
            // A reset before any answer is a service that is not there; after, a broken answer.
            return collector.headerBytes == 0 ? .unreachable(detail) : .malformedResponse(detail)
        case CURLE_GOT_NOTHING: return .malformedResponse("empty reply")
        case CURLE_TOO_MANY_REDIRECTS: return .malformedResponse("too many redirects")
        case CURLE_URL_MALFORMAT: return .invalidURL(detail)
        default: return .malformedResponse(detail)
        }
    }
}

/// What libcurl's callbacks collect during one exchange, within the client's limits.
private final class ResponseCollector {
    let maxBodyBytes: Int
    let maxHeaderBytes: Int
    var body: [UInt8] = []
    /// Where a 200 answer's body goes instead of `body` (streaming), and what it threw.
    var sink: ((UnsafeRawBufferPointer) throws -> Void)?
    var sinkError: (any Error)?
    var received = 0
    var statusCode = 0
    var headers: [String: String] = [:]
    var headerBytes = 0
    var bodyTooLarge = false
    var headersTooLarge = false
    /// Whether the blank line that ends the (last) header section arrived.
    var headersComplete = false

    init(maxBodyBytes: Int, maxHeaderBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Appends body bytes; false (abort the transfer) past the limit.
    func appendBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Bool {
        guard count <= maxBodyBytes - max(body.count, received) else {
            bodyTooLarge = true
            return false
        }
        guard let data, count > 0 else { return true }
        if let sink {
            received += count
            guard statusCode == 200 else { return true }
            do {
                try sink(UnsafeRawBufferPointer(start: data, count: count))
                return true
            } catch {
                sinkError = error
                return false
            }
        }
        body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return true
    }

    /// One header line as libcurl delivers it (status lines included); false past the limit.
    func appendHeaderLine(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Bool {
        headerBytes += count
        guard headerBytes <= maxHeaderBytes else {
            headersTooLarge = true
            return false
        }
        guard let data, count > 0 else { return true }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            statusCode = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headers = [:]  // a new response (after a 1xx, or a followed redirect)
            headersComplete = false
        } else if line.isEmpty {
            headersComplete = true
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return true
    }
}
