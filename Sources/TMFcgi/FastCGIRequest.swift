import CFastCGI

#if canImport(Glibc)
import Glibc
#endif

/// Reads the body from libfcgi's stdin stream.
final class FastCGIBodySource: BodySource {
    private let stream: UnsafeMutablePointer<FCGX_Stream>

    init(stream: UnsafeMutablePointer<FCGX_Stream>) { self.stream = stream }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = FCGX_GetStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), stream)
        if count < 0 || (count == 0 && FCGX_GetError(stream) != 0) {
            throw Problem(.badRequest, detail: "The request body could not be read.")
        }
        return Int(count)
    }
}

/// Converts between libfcgi's request and ours.
enum FastCGIRequest {
    /// Builds a `Request` from the CGI parameters nginx sent; nil (after writing the answer
    /// of `unknownMethod`, 405 for any path by default) when the method is not one we serve.
    static func make(
        _ raw: inout FCGX_Request,
        unknownMethod: (_ method: String, _ path: String, _ uri: String, _ requestID: String) -> Response = {
            HTTPMethod.notAllowed($0, allowed: HTTPMethod.allCases.sorted(), uri: $2, requestID: $3)
        }
    ) -> Request? {
        var method = ""
        var uri = ""
        var query = ""
        var client = ""
        var requestID = ""
        var contentLength: Int?
        var headers = HTTPHeaders()
        var serverParameters: [String: String] = [:]
        var env = raw.envp
        // Names are compared as bytes; only the values we use become Strings.
        while let entry = env?.pointee {
            env = env?.advanced(by: 1)
            let length = strlen(entry)
            guard let equals = memchr(entry, 61, length) else { continue }
            let nameLength = UnsafeRawPointer(equals) - UnsafeRawPointer(entry)
            let name = UnsafeRawBufferPointer(start: entry, count: nameLength)
            let value = UnsafeRawBufferPointer(start: equals + 1, count: length - nameLength - 1)
            if nameLength > 5 && matches(name.prefix(5), "HTTP_") {
                headers.add(headerName(UnsafeRawBufferPointer(rebasing: name[5...])), String(decoding: value, as: UTF8.self))
            } else if nameLength > 3 && matches(name.prefix(3), "TM_") {
                serverParameters[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            } else if matches(name, "REQUEST_URI") {
                uri = String(decoding: value, as: UTF8.self)
            } else if matches(name, "REQUEST_METHOD") {
                method = String(decoding: value, as: UTF8.self)
            } else if matches(name, "QUERY_STRING") {
                query = String(decoding: value, as: UTF8.self)
            } else if matches(name, "REMOTE_ADDR") {
                client = String(decoding: value, as: UTF8.self)
            } else if matches(name, "REQUEST_ID") {
                requestID = String(decoding: value, as: UTF8.self)
            } else if matches(name, "CONTENT_TYPE"), value.count > 0 {
                headers.add("Content-Type", String(decoding: value, as: UTF8.self))
            } else if matches(name, "CONTENT_LENGTH"), value.count > 0 {
                let text = String(decoding: value, as: UTF8.self)
                contentLength = Int(text)
                headers.add("Content-Length", text)
            }
        }
        if !RequestID.isValid(requestID) { requestID = RequestID.generate() }
        let path: String
        if let question = uri.utf8.firstIndex(of: 63) {
            path = String(uri[..<question])
        } else {
            path = uri
        }
        let body = RequestBody(
            source: raw.in.map(FastCGIBodySource.init), declaredLength: contentLength,
            limit: RouteOptions().maxBodySize)
        guard let known = HTTPMethod(rawValue: method) else {
            var response = unknownMethod(method, path.isEmpty ? "/" : path, uri, requestID)
            response.headers.set("X-Request-ID", requestID)
            try? write(response, to: &raw, requestID: requestID)  // a problem body: nothing streamed, nothing thrown
            return nil
        }
        return Request(
            method: known, path: path.isEmpty ? "/" : path, query: query, headers: headers,
            clientAddress: client, requestID: requestID, body: body, serverParameters: serverParameters)
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }

    private static func matches(_ bytes: Slice<UnsafeRawBufferPointer>, _ literal: StaticString) -> Bool {
        matches(UnsafeRawBufferPointer(rebasing: bytes), literal)
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(_ cgi: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: cgi.count) { buffer in
            var upper = true
            for (index, byte) in cgi.enumerated() {
                if byte == 95 {  // _
                    buffer[index] = 45
                    upper = true
                } else {
                    buffer[index] = (!upper && byte >= 65 && byte <= 90) ? byte + 32 : byte
                    upper = false
                }
            }
            return cgi.count
        }
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(_ cgi: String) -> String {
        var bytes = Array(cgi.utf8)
        return bytes.withUnsafeMutableBytes { headerName(UnsafeRawBufferPointer($0)) }
    }

    /// Writes a CGI-style response (`Status:` line, headers, blank line, body) straight into
    /// libfcgi's output buffer, piece by piece.
    static func write(_ response: Response, to raw: inout FCGX_Request, requestID: String) throws {
        let out = raw.out
        put("Status: ", out)
        put(String(response.status.code), out)
        put(" ", out)
        put(response.status.reason, out)
        put("\r\n", out)
        for field in response.headers {
            put(field.name, out)
            put(": ", out)
            put(field.value, out)
            put("\r\n", out)
        }
        if response.status.code != 204 && response.status.code != 304 && !response.headers.contains("Content-Length") && response.stream == nil {
            put("Content-Length: ", out)
            put(String(response.body.count), out)
            put("\r\n", out)
        }
        put("\r\n", out)
        if let stream = response.stream {
            try stream { piece in
                guard let base = piece.baseAddress, !piece.isEmpty else { return }
                guard FCGX_PutStr(base.assumingMemoryBound(to: CChar.self), Int32(piece.count), out) == Int32(piece.count) else {
                    throw StreamError.clientGone
                }
            }
            return
        }
        guard !response.body.isEmpty else { return }
        response.body.withUnsafeBytes { buffer in
            _ = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), out)
        }
    }

    /// Why a streamed body stopped.
    enum StreamError: Error {
        /// The connection to nginx failed mid-body.
        case clientGone
    }

    private static func put(_ literal: StaticString, _ out: UnsafeMutablePointer<FCGX_Stream>?) {
        _ = FCGX_PutStr(UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self), Int32(literal.utf8CodeUnitCount), out)
    }

    private static func put(_ text: String, _ out: UnsafeMutablePointer<FCGX_Stream>?) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = FCGX_PutStr(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count), out)
        }
    }
}
