import Foundation
import Logging
import Testing

@testable import TMFcgi

struct Boom: Error { let secret = "password=hunter2" }

struct Teapot: ProblemConvertible {
    var problem: Problem { Problem(HTTPStatus(code: 409), detail: "already there") }
}

@Suite struct ApplicationTests {
    func application() -> Application<BasicContext> {
        var router = Router<BasicContext>()
        router.get("/ok") { _, _ in Response.json("{}") }
        router.get("/boom") { _, _ -> Response in throw Boom() }
        router.get("/conflict") { _, _ -> Response in throw Teapot() }
        router.post("/small", options: RouteOptions(maxBodySize: 10)) { request, _ in
            Response.json("{\"n\":\(try request.body.collect().count)}")
        }
        router.post("/json") { request, _ -> Response in
            struct Input: Decodable {
                let fullName: String
                let count: Int
            }
            let input = try request.decode(Input.self)
            return Response.json("{\"n\":\(input.count)}")
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: router, logger: logger)
    }

    func json(_ response: Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test func everyResponseCarriesTheRequestID() {
        let app = application()
        for path in ["/ok", "/missing", "/boom"] {
            let response = app.respond(to: Request(method: .get, path: path, requestID: "abc123"))
            #expect(response.headers["X-Request-ID"] == "abc123", "\(path)")
        }
    }

    @Test func unexpectedErrorsBecomeABare500() {
        let response = application().respond(to: Request(method: .get, path: "/boom", requestID: "r1"))
        #expect(response.status.code == 500)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains("hunter2") && !text.contains("Boom"), "internals leaked: \(text)")
        #expect(json(response)["request_id"] as? String == "r1")
    }

    @Test func problemConvertibleErrorsKeepTheirStatus() {
        let response = application().respond(to: Request(method: .get, path: "/conflict"))
        #expect(response.status.code == 409)
        #expect(json(response)["detail"] as? String == "already there")
        #expect(json(response)["instance"] as? String == "/conflict")
    }

    @Test func bodyOverTheRouteLimitIs413() {
        let request = Request(method: .post, path: "/small", body: RequestBody(bytes: Array(repeating: 1, count: 11)))
        #expect(application().respond(to: request).status.code == 413)
        let fits = Request(method: .post, path: "/small", body: RequestBody(bytes: Array(repeating: 1, count: 10)))
        #expect(application().respond(to: fits).status.code == 200)
    }

    @Test func declaredLengthOverTheLimitIsRefusedBeforeReading() {
        let body = RequestBody(source: MemoryBodySource([]), declaredLength: 1 << 30, limit: 10)
        #expect(throws: Problem.self) { try body.next() }
    }

    @Test func jsonErrorsMapTo400And415And422() {
        let app = application()
        func post(_ type: String, _ text: String) -> Response {
            var headers = HTTPHeaders()
            headers.add("Content-Type", type)
            return app.respond(to: Request(method: .post, path: "/json", headers: headers, body: RequestBody(bytes: Array(text.utf8))))
        }
        #expect(post("text/plain", "{}").status.code == 415)
        #expect(post("application/json", "{oops").status.code == 400)
        #expect(post("application/json", "").status.code == 400)
        let missing = post("application/json; charset=utf-8", "{\"count\": 1}")
        #expect(missing.status.code == 422)
        let errors = json(missing)["errors"] as? [[String: String]]
        #expect(errors?.first?["pointer"] == "/full_name")
        let wrongType = post("application/problem+json", "{\"full_name\": \"a\", \"count\": \"x\"}")
        #expect(wrongType.status.code == 422)
        #expect((json(wrongType)["errors"] as? [[String: String]])?.first?["detail"] == "must be an integer")
        #expect(post("application/json", "{\"full_name\": \"a\", \"count\": 2}").status.code == 200)
        #expect(post("application/json", "[1,").status.code == 400)
    }

    @Test func encodedKeysAreSnakeCaseAndSorted() throws {
        struct Out: Encodable {
            let zeta = 1
            let fullName = "x"
            let alpha = true
        }
        let response = try JSONCoding.response(Out(), status: .ok)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"alpha\":true,\"full_name\":\"x\",\"zeta\":1}")
    }

    @Test func badDatesAre422NotMalformedJSON() throws {
        struct Dated: Decodable { let when: Date }
        do {
            _ = try JSONCoding.decode(Dated.self, from: Array("{\"when\": \"yesterday\"}".utf8))
            Issue.record("accepted a bad date")
        } catch let problem as Problem {
            #expect(problem.status.code == 422)
            #expect(problem.errors.first?.detail.contains("RFC 3339") == true)
            #expect(problem.errors.first?.pointer == "/when")
        }
        struct Event: Decodable { let when: Date }
        let good = try JSONCoding.decode(Event.self, from: Array("{\"when\": \"2026-01-31T12:00:00Z\"}".utf8))
        #expect(good.when.timeIntervalSince1970 == 1_769_860_800)
    }

    @Test func unknownMethodIs405WithTheAllowOfItsPath() throws {
        let known = application().respond(toUnknownMethod: "PROPFIND", path: "/ok", uri: "/ok?x=1", requestID: "r1")
        #expect(known.status.code == 405)
        #expect(known.headers["Allow"] == "GET, HEAD, OPTIONS")
        #expect(known.headers["Content-Type"] == "application/problem+json")
        let unknown = application().respond(toUnknownMethod: "FOO", path: "/nowhere", uri: "/nowhere", requestID: "r2")
        #expect(unknown.status.code == 405)
        #expect(unknown.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
    }

    @Test func optionsAnswersAllowAndHeadHasNoBody() {
        let options = application().respond(to: Request(method: .options, path: "/ok"))
        #expect(options.status.code == 204)
        #expect(options.headers["Allow"] == "GET, HEAD, OPTIONS")
        let head = application().respond(to: Request(method: .head, path: "/ok"))
        #expect(head.status.code == 200 && head.body.isEmpty)
        #expect(head.headers["Content-Length"] == "2", "HEAD reports the length GET would send")
    }
}
