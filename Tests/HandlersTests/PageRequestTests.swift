import TMFcgi
import Testing

@testable import Handlers

/// The one paging parser: every paging parameter present is checked, even when another
/// one decides the page (schemathesis sent `offset=2097153&page=false` and got a 200).
struct PageRequestTests {
    private func parse(_ query: [String: String]) -> (PageRequest, [String]) {
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        return (page, errors.map(\.pointer))
    }

    @Test func limitAndOffsetOrPageAndPageSize() {
        let (byOffset, none) = parse(["limit": "10", "offset": "30"])
        #expect(byOffset.limit == 10 && byOffset.offset == 30 && none.isEmpty)
        let (byPage, alsoNone) = parse(["page": "3", "page_size": "10"])
        #expect(byPage.limit == 10 && byPage.offset == 20 && alsoNone.isEmpty)
        let (defaults, _) = parse([:])
        #expect(defaults.limit == PageRequest.defaultLimit && defaults.offset == 0)
    }

    @Test func aBadParameterIsAnErrorEvenWhenAnotherOneWins() {
        #expect(parse(["offset": "5", "page": "false"]).1 == ["page"])
        #expect(parse(["limit": "5", "page_size": "0"]).1 == ["page_size"])
        #expect(parse(["limit": "5", "per_page": "x"]).1 == ["per_page"])
        #expect(parse(["limit": "0", "offset": "-1"]).1 == ["limit", "offset"])
    }
}
