import Foundation
import Testing

@testable import TMFcgi

/// The request log line built as bytes must be the JSON the string builder made.
@Suite struct LogLineTests {
    func text(_ build: (inout LogLine) -> Void) -> String {
        var line = LogLine(capacity: 16)
        build(&line)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    @Test func quotesAndEscapesLikeJSONSerialization() throws {
        for value in ["plain", "", "quote \" and \\ backslash", "tab\tnew\nline\r", "\u{01}\u{1f}", "ünïcødé €"] {
            let quoted = text { $0.appendQuoted(value) }
            let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
            #expect(decoded == [value], "\(quoted)")
            #expect(quoted == JSONText.quoted(value))
        }
    }

    @Test func numbersAndMilliseconds() {
        #expect(text { $0.append(0) } == "0")
        #expect(text { $0.append(200) } == "200")
        #expect(text { $0.append(-42) } == "-42")
        #expect(text { $0.append(Int.max) } == String(Int.max))
        for nanoseconds: UInt64 in [0, 999, 412_000, 1_000_000, 12_345_678_901] {
            #expect(text { $0.appendMilliseconds(nanoseconds) } == Clock.milliseconds(nanoseconds))
        }
    }

    @Test func timestampIsRFC3339WithMilliseconds() {
        let stamp = text { $0.appendTimestamp() }
        #expect(stamp.count == 24, "\(stamp)")
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(stamp)")
        let now = Clock.timestamp()
        #expect(stamp.prefix(16) == now.prefix(16) || stamp < now, "\(stamp) vs \(now)")
    }
}
