import CFastCGI
import Foundation
import Testing

@testable import TMFcgi

@Suite struct FastCGIRequestTests {
    /// Builds a libfcgi request whose environment is `params`, as nginx would send them.
    func withRequest<T>(_ params: [String], _ body: (inout FCGX_Request) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = params.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var raw = FCGX_Request()
            raw.envp = buffer.baseAddress
            return body(&raw)
        }
    }

    @Test func parsesMethodPathQueryHeadersAndRequestID() throws {
        let request = try #require(
            withRequest([
                "REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/strategies/7?verbose=1&x=a%20b", "QUERY_STRING=verbose=1&x=a%20b",
                "REMOTE_ADDR=10.1.2.3", "REQUEST_ID=0123456789abcdef0123456789abcdef", "CONTENT_TYPE=application/json",
                "CONTENT_LENGTH=0", "HTTP_USER_AGENT=curl/8", "HTTP_X_API_KEY=k", "HTTP_AUTHORIZATION=Bearer t",
            ]) { FastCGIRequest.make(&$0) })
        #expect(request.method == .post)
        #expect(request.path == "/api/v1/strategies/7")
        #expect(request.query == "verbose=1&x=a%20b")
        #expect(try request.queryItems["x"] == "a b")
        #expect(request.clientAddress == "10.1.2.3")
        #expect(request.requestID == "0123456789abcdef0123456789abcdef")
        #expect(request.headers["user-agent"] == "curl/8")
        #expect(request.headers["X-Api-Key"] == "k")
        #expect(request.headers["Authorization"] == "Bearer t")
        #expect(request.mediaType == "application/json")
        #expect(request.body.declaredLength == 0)
    }

    /// `TM_*` parameters come from nginx's configuration; a client's `TM-Metrics-Endpoint`
    /// header arrives as `HTTP_TM_METRICS_ENDPOINT` and stays a header.
    @Test func serverParametersAreOnlyTheTMParameters() throws {
        let request = try #require(
            withRequest([
                "REQUEST_METHOD=GET", "REQUEST_URI=/metrics", "TM_METRICS_ENDPOINT=1", "HTTP_TM_OTHER=client", "TM_=x",
            ]) { FastCGIRequest.make(&$0) })
        #expect(request.serverParameters == ["TM_METRICS_ENDPOINT": "1"])
        #expect(request.headers["Tm-Other"] == "client")
        let spoofed = try #require(
            withRequest(["REQUEST_METHOD=GET", "REQUEST_URI=/metrics", "HTTP_TM_METRICS_ENDPOINT=1"]) {
                FastCGIRequest.make(&$0)
            })
        #expect(spoofed.serverParameters.isEmpty)
    }

    @Test func missingOrUnsafeRequestIDIsReplaced() throws {
        let request = try #require(withRequest(["REQUEST_METHOD=GET", "REQUEST_URI=/", "REQUEST_ID=bad id\"x"]) { FastCGIRequest.make(&$0) })
        #expect(request.requestID.count == 32)
        #expect(RequestID.isValid(request.requestID))
    }

    @Test func headerNamesAreCanonicalised() {
        #expect(FastCGIRequest.headerName("USER_AGENT") == "User-Agent")
        #expect(FastCGIRequest.headerName("X_REQUEST_ID") == "X-Request-Id")
    }

    @Test func listenAddressesParse() {
        #expect(ListenAddress(parsing: "/run/tm/tm.sock") == .unix(path: "/run/tm/tm.sock"))
        #expect(ListenAddress(parsing: "127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress(parsing: "[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(ListenAddress(parsing: ":9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress(parsing: "localhost") == nil)
        #expect(ListenAddress(parsing: "host:0") == nil)
        #expect(ListenAddress(parsing: "host:70000") == nil)
        #expect(ListenAddress.fromSystemd(environment: ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1"]) == .inherited(fd: 3))
        #expect(ListenAddress.fromSystemd(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"]) == nil)
    }

    @Test func percentDecoding() {
        #expect(PercentDecoding.decode("a%2Fb") == "a/b")
        #expect(PercentDecoding.decode("a+b", plusAsSpace: true) == "a b")
        #expect(PercentDecoding.decode("%E2%82%AC") == "€")
        #expect(PercentDecoding.decode("%ff") == nil)
        #expect(PercentDecoding.decode("%4") == nil)
    }
}
