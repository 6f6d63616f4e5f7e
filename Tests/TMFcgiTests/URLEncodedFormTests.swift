import Testing

@testable import TMFcgi

/// The one parser of query strings and form bodies.
@Suite struct URLEncodedFormTests {
    @Test func decodesFieldsLastValueWinning() throws {
        let fields = try URLEncodedForm.parse("a=1&b=x+y&a=2&c&d=%E2%82%AC", source: "form body")
        #expect(fields == ["a": "2", "b": "x y", "c": "", "d": "€"])
    }

    @Test func malformedOrControlCharactersAre400() {
        for text in ["username=alice%00junk", "a=%zz", "a=%4", "a=%ff", "%00=1", "a=line%0Abreak", "a=%7F"] {
            #expect(throws: Problem.self, "\(text)") { try URLEncodedForm.parse(text, source: "form body") }
        }
    }

    @Test func aRequestsQueryItemsUseIt() throws {
        let good = Request(method: .get, path: "/x", query: "limit=5&q=a%20b")
        #expect(try good.queryItems == ["limit": "5", "q": "a b"])
        let bad = Request(method: .get, path: "/x", query: "q=%00")
        #expect(throws: Problem.self) { try bad.queryItems }
    }
}
