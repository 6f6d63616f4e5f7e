import Foundation
import Testing

@testable import TMFcgi

@Suite struct ProblemTests {
    @Test func rendersRFC9457MembersAndEscapes() throws {
        let problem = Problem(
            .unprocessableContent, type: "/problems/validation", title: "Validation failed",
            detail: "bad \"quote\" and\nnewline\u{1}",
            errors: [FieldError(pointer: "/password", detail: "too short")])
        let text = problem.json(instance: "/api/v1/x?y=1", requestID: "rid")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "/problems/validation")
        #expect(object["title"] as? String == "Validation failed")
        #expect(object["status"] as? Int == 422)
        #expect(object["detail"] as? String == "bad \"quote\" and\nnewline\u{1}")
        #expect(object["instance"] as? String == "/api/v1/x?y=1")
        #expect(object["request_id"] as? String == "rid")
        #expect((object["errors"] as? [[String: String]]) == [["pointer": "/password", "detail": "too short"]])
    }

    @Test func defaultsToAboutBlankAndTheReasonPhrase() {
        let problem = Problem(.notFound)
        #expect(problem.type == "about:blank")
        #expect(problem.title == "Not Found")
    }

    @Test func responseCarriesExtraHeaders() {
        let response = Response.problem(Problem(.tooManyRequests, headers: [("Retry-After", "30")]), instance: "/", requestID: "r")
        #expect(response.headers["Retry-After"] == "30")
        #expect(response.headers["Content-Type"] == "application/problem+json")
    }

    @Test func headerValuesCannotSplitTheResponse() {
        var headers = HTTPHeaders()
        headers.add("Location", "/a\r\nSet-Cookie: x=1")
        #expect(headers["location"] == "/aSet-Cookie: x=1")
    }
}
