#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

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
    /// Builds a `Request` from the CGI parameters nginx sent; nil (after answering the
    /// client) when the method is not one we serve.
    static func make(_ raw: inout FCGX_Request) -> Request? {
        var method = "", uri = "", query = "", client = "", requestID = ""
        var contentLength: Int?
        var headers = HTTPHeaders()
        var env = raw.envp
        while let entry = env?.pointee {
            let text = String(cString: entry)
            env = env?.advanced(by: 1)
            guard let equals = text.utf8.firstIndex(of: 61) else { continue }
            let name = Substring(text[..<equals])
            let value = String(text[text.index(after: equals)...])
            if name.hasPrefix("HTTP_") {
                headers.add(headerName(name.dropFirst(5)), value)
                continue
            }
            switch name {
            case "REQUEST_METHOD": method = value
            case "REQUEST_URI": uri = value
            case "QUERY_STRING": query = value
            case "REMOTE_ADDR": client = value
            case "REQUEST_ID": requestID = value
            case "CONTENT_TYPE": if !value.isEmpty { headers.add("Content-Type", value) }
            case "CONTENT_LENGTH": contentLength = Int(value); if !value.isEmpty { headers.add("Content-Length", value) }
            default: break
            }
        }
        if !RequestID.isValid(requestID) { requestID = RequestID.generate() }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        let body = RequestBody(source: raw.in.map(FastCGIBodySource.init), declaredLength: contentLength,
                               limit: RouteOptions().maxBodySize)
        guard let known = HTTPMethod(rawValue: method) else {
            let problem = Problem(HTTPStatus(code: 501), detail: "The method \(method.prefix(16)) is not implemented.")
            write(.problem(problem, instance: path, requestID: requestID), to: &raw, requestID: requestID)
            return nil
        }
        return Request(method: known, path: path.isEmpty ? "/" : path, query: query, headers: headers,
                       clientAddress: client, requestID: requestID, body: body)
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(_ cgi: Substring) -> String {
        var out = ""
        out.reserveCapacity(cgi.utf8.count)
        var upper = true
        for character in cgi {
            if character == "_" {
                out.append("-")
                upper = true
            } else {
                out.append(upper ? character : Character(character.lowercased()))
                upper = false
            }
        }
        return out
    }

    /// Writes a CGI-style response (`Status:` line, headers, blank line, body).
    static func write(_ response: Response, to raw: inout FCGX_Request, requestID: String) {
        var head = "Status: \(response.status.code) \(response.status.reason)\r\n"
        for field in response.headers { head += field.name + ": " + field.value + "\r\n" }
        if response.status.code != 204 && response.status.code != 304 {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "\r\n"
        var headBytes = Array(head.utf8)
        headBytes.withUnsafeMutableBytes { buffer in
            _ = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), raw.out)
        }
        guard !response.body.isEmpty else { return }
        response.body.withUnsafeBytes { buffer in
            _ = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), raw.out)
        }
    }
}
