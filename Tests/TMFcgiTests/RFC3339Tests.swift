import Foundation
import Testing

@testable import TMFcgi

/// Strict RFC 3339 parsing, checked against epoch seconds computed independently
/// (`date -u -d … +%s` on GNU coreutils).
@Suite struct RFC3339Tests {
    @Test func parsesValidDateTimes() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(RFC3339.parse("2024-02-29T12:30:45Z")?.timeIntervalSince1970 == 1_709_209_845)
        #expect(RFC3339.parse("2024-02-29T14:30:45+02:00")?.timeIntervalSince1970 == 1_709_209_845)
        #expect(RFC3339.parse("2024-02-29t12:30:45.250z")?.timeIntervalSince1970 == 1_709_209_845.25)
        #expect(RFC3339.parse("9999-12-31T23:59:59Z")?.timeIntervalSince1970 == 253_402_300_799)
        #expect(RFC3339.parse("0001-01-01T00:00:00Z")?.timeIntervalSince1970 == -62_135_596_800)
    }

    @Test func refusesWhatDoesNotExistOrDoesNotRoundTrip() {
        for text in [
            "2030-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2030-04-31T00:00:00Z", "2030-13-01T00:00:00Z",
            "2030-01-01T24:00:00Z", "2030-01-01T00:60:00Z", "2030-01-01T00:00:60Z", "2030-01-01T00:00:00+99:99",
            "2030-01-01T00:00:00+24:00", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2030-01-01",
            "9999-12-31T23:59:59-12:00", "12345-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
            "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00.1234567890Z", "2030-01-01T00:00:00Zjunk", " 2030-01-01T00:00:00Z",
        ] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }

    @Test func theDecoderUsesItAndNamesTheField() throws {
        struct Draft: Decodable { var expiresAt: Date }
        do {
            _ = try JSONCoding.decode(Draft.self, from: Array(#"{"expires_at":"2030-02-30T00:00:00Z"}"#.utf8))
            Issue.record("an impossible date was accepted")
        } catch let problem as Problem {
            #expect(problem.status.code == 422)
            #expect(problem.errors.first?.pointer == "/expires_at")
        }
        let draft = try JSONCoding.decode(Draft.self, from: Array(#"{"expires_at":"2030-01-31T12:00:00Z"}"#.utf8))
        #expect(draft.expiresAt.timeIntervalSince1970 == 1_896_091_200)
    }
}
