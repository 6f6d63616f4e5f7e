import Foundation
import Testing

@testable import Quant

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The streaming CSV reader: headers, timestamps, numbers, chunking and precise errors.
@Suite struct OHLCVCSVReaderTests {
    @Test func streamingInAnyChunkSizeGivesTheSameSeries() throws {
        let bytes = try Fixtures.bytes("intraday.csv")
        let whole = try OHLCVCSVReader.parse(bytes)
        #expect(whole.count == 1140)
        for size in [1, 7, 64, 4096] {
            var reader = OHLCVCSVReader()
            var i = 0
            while i < bytes.count {
                try reader.feed(Array(bytes[i..<min(i + size, bytes.count)]))
                i += size
            }
            #expect(try reader.finish() == whole, "chunk size \(size)")
        }
    }

    @Test func rawBuffersCanBeFedInPlace() throws {
        let bytes = try Fixtures.bytes("daily.csv")
        var reader = OHLCVCSVReader()
        try bytes.withUnsafeBytes { raw in
            try reader.feed(UnsafeRawBufferPointer(rebasing: raw[0..<1000]))
            try reader.feed(UnsafeRawBufferPointer(rebasing: raw[1000...]))
        }
        #expect(try reader.finish() == OHLCVCSVReader.parse(bytes))
    }

    /// The columns are written in place: a copy of a reader made between two chunks shares
    /// them until either writes, then each has its own (neither sees the other's rows).
    @Test func aCopiedReaderKeepsItsOwnRows() throws {
        let bytes = try Fixtures.bytes("intraday.csv")
        // Other rows for the copy, later than the file's, with other values at the same indices.
        let others = Array(
            (0..<3000).map { k in
                "2099-01-01 00:\(k / 600)\(k / 60 % 10):\(k % 60 / 10)\(k % 10),7.5,8.25,7,8,\(k)\n"
            }.joined().utf8)
        for start in [40, 20_000, 60_000] {
            let cut = bytes[start...].firstIndex(of: 10)! + 1
            var reader = OHLCVCSVReader()
            try reader.feed(Array(bytes[..<cut]))
            var copy = reader
            try reader.feed(Array(bytes[cut...]))
            try copy.feed(others)
            #expect(try reader.finish() == OHLCVCSVReader.parse(bytes), "cut at \(cut)")
            #expect(try copy.finish() == OHLCVCSVReader.parse(Array(bytes[..<cut]) + others), "cut at \(cut)")
        }
    }

    @Test func headerAliasesAndLongFormat() throws {
        let csv = """
            Date,TIC,Open,High,Low,Close,Adj_Close,Vol,zopen
            2024-01-02,AAA,10,11,9,10.5,10.4,100,0.1
            2024-01-02,BBB,20,21,19,20.5,20.4,200,0.1
            2024-01-03,AAA,10.5,11,10,10.8,10.7,150,0.1
            """
        let s = try OHLCVCSVReader.parse(csv)
        #expect(s.symbols == ["AAA", "BBB", "AAA"])
        #expect(s.adjustedClose == [10.4, 20.4, 10.7])
        #expect(s.volume == [100, 200, 150])
        #expect(s.series(for: "AAA").close == [10.5, 10.8])
        #expect(s.timestamps[0] == 1_704_153_600)
    }

    @Test func timestampFormats() throws {
        let csv = "timestamp,close\n1704153600,1\n2024-01-02 00:01,2\n2024-01-02T00:02:00Z,3\n2024-01-02T01:03:00+01:00,4\n"
        let s = try OHLCVCSVReader.parse(csv)
        #expect(s.timestamps == [1_704_153_600, 1_704_153_660, 1_704_153_720, 1_704_153_780])
        #expect(s.open == s.close)
        #expect(TimestampFormatter.iso8601(1_704_153_660) == "2024-01-02T00:01:00Z")
        #expect(TimestampFormatter.iso8601(1_704_153_600) == "2024-01-02")
    }

    @Test func fixedFormatFastPathAcceptsEveryValidDate() {
        for text in ["2015-01-01 09:38:59", "1999-12-31", "2024-02-29T23:59:59Z", "2038-08-18 18:38:38"] {
            var copy = text
            let fast = copy.withUTF8 { TimestampParser.parseFixed($0, 0, $0.count) }
            #expect(fast != nil, "\(text)")
            let general = copy.withUTF8 { b -> Int64? in
                if case .value(let v) = TimestampParser.parse(b, 0, b.count) { return v }
                return nil
            }
            #expect(fast == general)
        }
        var bad = "2015-01-0: 09:30:00"
        #expect(bad.withUTF8 { TimestampParser.parseFixed($0, 0, $0.count) } == nil)
    }

    /// The time of day read eight bytes at once equals what the whole date-time parser reads.
    @Test func timeOfDayEqualsTheFixedParser() {
        var rng = SplitMix64(seed: 2202)
        let alphabet = Array("0123456789012345678901234567890123456789::: T/a".utf8)
        var cases = ["09:30:00", "23:59:60", "24:00:00", "00:60:00", "12:34:5a", "12-34-56", "1:23:456", "99:99:99"]
        for _ in 0..<50_000 {
            cases.append(String(decoding: (0..<8).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self))
        }
        for time in cases {
            var text = "2024-01-02 " + time + ",1"
            let (fast, fixed) = text.withUTF8 { b in
                (TimestampParser.parseTimeOfDay(b, 10), TimestampParser.parseFixed(b, 0, 19))
            }
            let midnight = Int64(TimestampParser.daysFromCivil(2024, 1, 2)) * 86_400
            #expect(fast.map { Int64($0) + midnight } == fixed, "\(time)")
        }
    }

    @Test func numbersAreCorrectlyRounded() throws {
        let cases = [
            "0.1", "1.2345678901234567", "123456789012345678901234.5", "3.14159e-5", "9007199254740993",
            "2.2250738585072011e-308", "0.30000000000000004", "1e22", "1e23", "-0.0", "100.250000",
        ]
        for text in cases {
            #expect(DecimalParser.parse(text) == Double(text), "\(text)")
        }
        for bad in ["nan", "inf", "0x10", "1e", "--1", ".", "1.2.3", ""] {
            #expect(DecimalParser.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func decimalParserEqualsStrtodBitForBit() {
        var rng = SplitMix64(seed: 22)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(rng.next() % 10)) }) }
        var cases = [
            "0", "-0", "+0.0", "1", "9007199254740992", "9007199254740993", "18446744073709551615", "18446744073709551616",
            "0.000000000000000000001", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e-400", "1e400", "123.456e-7",
            "0.1", "100.0059", "99.9825", "5e-1", "1E5", "1e+22", "1e23", "9999999999999999999", "0.30000000000000004",
        ]
        for _ in 0..<20_000 {
            var text = rng.next() % 4 == 0 ? "-" : ""
            text += digits(1 + Int(rng.next() % (rng.next() % 3 == 0 ? 25 : 8)))
            if rng.next() % 4 != 0 { text += "." + digits(Int(rng.next() % (rng.next() % 3 == 0 ? 25 : 6))) }
            if rng.next() % 3 == 0 { text += "e" + (rng.next() % 2 == 0 ? "-" : "") + String(rng.next() % 330) }
            cases.append(text)
        }
        for text in cases {
            let expected = strtod(text, nil)
            let actual = DecimalParser.parse(text)
            #expect(actual?.bitPattern == expected.bitPattern, "\(text): \(actual ?? .nan) vs strtod \(expected)")
        }
    }

    /// The eight-bytes-at-a-time path (numbers inside a longer buffer, as in a file's rows) gives
    /// what the digit loop and strtod give, value and stop, for every length it takes and around it.
    @Test func wordAtATimeNumbersEqualTheDigitLoopAndStrtod() {
        var rng = SplitMix64(seed: 2201)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(rng.next() % 10)) }) }
        var cases = [
            "0", "-0", "+0.0", "5.", ".5", "-.5", "+", "-", ".", "-.", ".e5", "1.5e3", "2E-2", "1234567.1234567",
            "12345678.1", "1.12345678", "9999999.9999999", "0000000.0000000", "100.0123", "5234", "1e", "7.e", "12.x",
        ]
        for _ in 0..<20_000 {
            var text = ["", "-", "+"][Int(rng.next() % 3)]
            text += digits(Int(rng.next() % 10))
            if rng.next() % 4 != 0 { text += "." + digits(Int(rng.next() % 10)) }
            if rng.next() % 8 == 0 { text += "e" + String(rng.next() % 30) }
            cases.append(text)
        }
        for text in cases {
            for suffix in [",", "\n", "\r\n", ",7", "x"] {
                let bytes = Array((text + suffix + ",0123456789,0123456789").utf8)
                bytes.withUnsafeBufferPointer { b in
                    let fast = DecimalParser.scan(b, 0, b.count)
                    let loop = DecimalParser.scanDigits(b, 0, b.count)
                    #expect(fast.0?.bitPattern == loop.0?.bitPattern && fast.1 == loop.1, "\(text)\(suffix)")
                    if fast.1 == text.utf8.count, let value = fast.0 {
                        #expect(value.bitPattern == strtod(text, nil).bitPattern, "\(text)")
                    }
                    // The usual form's path: every plain field, and scan's answer before a separator.
                    let plain = DecimalParser.scanPlain(b, 0)
                    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
                    let isPlain =
                        parts.count <= 2 && parts.allSatisfy { (1...7).contains($0.count) && $0.allSatisfy(\.isASCII) }
                        && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
                    #expect(!isPlain || plain?.1 == text.utf8.count, "\(text)\(suffix)")
                    if let plain, plain.1 == text.utf8.count {
                        #expect(plain.0.bitPattern == fast.0?.bitPattern && plain.1 == fast.1, "\(text)\(suffix)")
                    }
                }
            }
        }
    }

    @Test func fastRowsAgreeWithTheGeneralPath() throws {
        // Times of one day share the cached date; a bad time, a `T`, a `Z`, spaces, quotes, CRLF and an
        // extra column leave the fast lane for the general parser and come back.
        let csv =
            "date,open,high,low,close,volume,note\n2024-01-02 09:30:00,10,11,9,10,100,a\n2024-01-02 09:31:00,10,11,9,10.5,100,\n"
            + "2024-01-02 25:00:00,10,11,9,10,100,x\n2024-01-02T09:33:00,10,11,9,10,100,b\n2024-01-02 09:34:00Z,10,11,9,10,100,c\n"
            + "2024-01-02 09:35:00, 10,11,9,10,100,d\n\"2024-01-02 09:36:00\",10,11,9,10,100,e\r\n2024-01-02 09:37:00,10,11,9,10,100,f\r\n"
            + "2024-01-03 09:30:00,10,11,9,10,100,g\n2024-01-02 09:38:00,10,11,9,10,100,h\n2024-01-03,10,11,9,10,100,i\n"
        let bytes = Array(csv.utf8)
        for size in [1, 5, 29, bytes.count] {
            var reader = OHLCVCSVReader()
            var i = 0
            while i < bytes.count {
                try reader.feed(Array(bytes[i..<min(i + size, bytes.count)]))
                i += size
            }
            do {
                _ = try reader.finish()
                Issue.record("expected an error")
            } catch let CSVError.invalidRows(issues, count) {
                #expect(count == 3, "chunk size \(size)")
                #expect(issues.map(\.line) == [4, 11, 12], "chunk size \(size)")
                #expect(issues.first?.column == "date")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
        let good = lines.enumerated().filter { ![3, 10, 11].contains($0.offset) }.map { Array($0.element) }.joined(separator: [10])
        let series = try OHLCVCSVReader.parse(Array(good))
        let day = Int64(TimestampParser.daysFromCivil(2024, 1, 2)) * 86_400
        #expect(series.timestamps == [30, 31, 33, 34, 35, 36, 37].map { day + 9 * 3600 + $0 * 60 } + [day + 86_400 + 9 * 3600 + 30 * 60])
        #expect(series.close == [10, 10.5, 10, 10, 10, 10, 10, 10])
    }

    @Test func badRowsAreReportedPrecisely() {
        let csv = """
            date,open,high,low,close,volume
            2024-01-01,10,11,9,10,100
            2024-01-02,10,9.5,9,10,100
            2024-01-03,10,11,10.5,10,100
            2024-01-04,abc,11,9,10,100
            2024-01-05,10,11,9,10,-5
            2024-01-06,10,11,9,10,1
            2024-01-06,10,11,9,10,1
            2024-01-05,10,11,9,10,1
            2024-01-08,nan,11,9,10,1
            2024-02-30,10,11,9,10,1
            2024-01-09,-1,11,1,10,1
            2024-01-10,10,11,9
            """
        do {
            _ = try OHLCVCSVReader.parse(csv)
            Issue.record("expected an error")
        } catch let CSVError.invalidRows(issues, count) {
            #expect(count == 10)
            #expect(issues[0] == CSVIssue(line: 3, column: "high", value: "9.5", reason: "high is below max(open, close)"))
            #expect(issues[1] == CSVIssue(line: 4, column: "low", value: "10.5", reason: "low is above min(open, close)"))
            #expect(issues[2] == CSVIssue(line: 5, column: "open", value: "abc", reason: "not a number"))
            #expect(issues[3].reason == "volume must not be negative")
            #expect(issues[4].reason == "duplicate timestamp" && issues[4].line == 8)
            #expect(issues[5].reason.hasPrefix("timestamp out of order"))
            #expect(issues[6].reason == "not a finite number")
            #expect(issues[7] == CSVIssue(line: 11, column: "date", value: "2024-02-30", reason: "no such date"))
            #expect(issues[8].reason == "open must be a positive price")
            #expect(issues.last?.reason == "expected 6 fields, found 4")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func orderIsCheckedPerSymbolInLongFormat() {
        let csv = "date,tic,close\n2024-01-02,A,1\n2024-01-02,B,1\n2024-01-01,A,1\n"
        #expect(
            throws: CSVError.invalidRows(
                [CSVIssue(line: 4, column: "date", value: "2024-01-01", reason: "timestamp out of order (earlier than the previous row) for A")],
                badRowCount: 1)
        ) { try OHLCVCSVReader.parse(csv) }
    }

    @Test func structuralErrors() {
        #expect(throws: CSVError.empty) { try OHLCVCSVReader.parse("") }
        #expect(throws: CSVError.noRows) { try OHLCVCSVReader.parse("date,close\n") }
        #expect(throws: CSVError.missingColumn("close", header: ["date", "open"])) {
            try OHLCVCSVReader.parse("date,open\n2024-01-01,1\n")
        }
        #expect(throws: CSVError.duplicateColumn("date")) { try OHLCVCSVReader.parse("date,time,close\n") }
        #expect(throws: CSVError.missingColumn("low", header: ["date", "open", "high", "close"])) {
            try OHLCVCSVReader.parse("date,open,high,close\n")
        }
    }

    @Test func quotedFieldsCRLFAndBOM() throws {
        let csv = "\u{FEFF}\"date\",\"close\"\r\n\"2024-01-01\",\"1.5\"\r\n\r\n2024-01-02, 2.5 \r\n"
        let s = try OHLCVCSVReader.parse(csv)
        #expect(s.close == [1.5, 2.5])
    }
}

/// Limits that protect a server reading an upload.
@Suite struct OHLCVCSVReaderLimitTests {
    @Test func aLineWithoutBreakIsBounded() throws {
        var reader = OHLCVCSVReader(maximumLineLength: 64)
        try reader.feed(Array("date,close\n".utf8))
        #expect(throws: CSVError.lineTooLong(line: 2, limit: 64)) {
            try reader.feed([UInt8](repeating: 49, count: 100))
        }
        #expect(throws: CSVError.finished) { try reader.feed([10]) }
    }
}

/// The whole-buffer parse on several threads: the one reader's series or error, always.
@Suite struct OHLCVCSVReaderThreadTests {
    /// A file of `rows` one-minute rows (about 60 bytes each) of `header`'s layout, with `edit`
    /// applied to each row's fields (by row index) before it is written.
    private func file(rows: Int, header: String = "date,open,high,low,close,volume", edit: (Int, inout [String]) -> Void = { _, _ in })
        -> [UInt8]
    {
        var rng = SplitMix64(seed: 2209)
        var lines = [header]
        let day = Int64(TimestampParser.daysFromCivil(2015, 1, 2)) * 86_400
        var price = 100.0
        for k in 0..<rows {
            price *= 1 + (Double(rng.next() % 2001) - 1000) * 1e-6
            let close = (price * 10_000).rounded() / 10_000
            var fields = [
                TimestampFormatter.iso8601(day + Int64(k) * 60).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
                "\(close)", "\(close + 0.05)", "\(close - 0.05)", "\(close)", "\(100 + rng.next() % 9_900)",
            ]
            if header.contains("adj") { fields.insert("\(close * 0.99)", at: 5) }
            edit(k, &fields)
            lines.append(fields.joined(separator: ","))
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Both parses' answer as text: every column bit for bit, or the error with its issues.
    private func outcome(_ bytes: [UInt8], threads: Int? = nil) -> String {
        do {
            let s = try threads.map { try OHLCVCSVReader.parse(bytes, threads: $0) } ?? OHLCVCSVReader.parse(bytes)
            let columns = [s.open, s.high, s.low, s.close, s.volume, s.adjustedClose ?? []].map { $0.map(\.bitPattern) }
            return "\(s.count) \(s.timestamps) \(columns) \(s.symbols ?? [])"
        } catch {
            return "error \(error)"
        }
    }

    @Test(arguments: [2, 3, 8])
    func theSameSeriesAsOneReader(threads: Int) throws {
        let bytes = file(rows: 20_000)
        #expect(bytes.count > 1 << 20)
        let one = outcome(bytes)
        #expect(one.hasPrefix("20000 "))
        #expect(outcome(bytes, threads: threads) == one)
        // Without a final line break, with CR LF, with an adjusted close: alike.
        #expect(outcome(Array(bytes.dropLast()), threads: threads) == outcome(Array(bytes.dropLast())))
        let crlf = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(outcome(crlf, threads: threads) == outcome(crlf))
        let adjusted = file(rows: 20_000, header: "date,open,high,low,close,adj_close,volume")
        #expect(outcome(adjusted, threads: threads) == outcome(adjusted))
        #expect(!outcome(adjusted).hasPrefix("error"))
    }

    @Test func badRowsAndCutsOutOfOrderGiveTheOneReadersError() {
        // A bad value late in the file (in a later part): the same issues and line numbers.
        let bad = file(rows: 20_000) { k, fields in if k == 15_000 || k == 19_999 { fields[1] = "abc" } }
        #expect(outcome(bad, threads: 2).hasPrefix("error"))
        #expect(outcome(bad, threads: 2) == outcome(bad))
        // The rows from the cut of two parts on a year earlier: each part is in order, the file
        // is not. (The cut: the first line end at or past the middle of the rows' bytes.)
        let plain = file(rows: 20_000)
        let body = plain.firstIndex(of: 10)! + 1
        let middle = plain[(body + (plain.count - body) / 2)...].firstIndex(of: 10)!
        let cutRow = plain[body...middle].count { $0 == 10 }
        let swapped = file(rows: 20_000) { k, fields in
            if k >= cutRow { fields[0] = fields[0].replacingOccurrences(of: "2015-01-", with: "2014-01-") }
        }
        #expect(outcome(swapped).contains("out of order"))
        #expect(outcome(swapped, threads: 2) == outcome(swapped))
        // A repeated time exactly at a cut, wherever the cut falls: duplicates are refused alike.
        let repeated = file(rows: 20_000) { k, fields in if k % 2 == 1 { fields[0] = "2015-01-02 00:00:00" } }
        #expect(outcome(repeated, threads: 2) == outcome(repeated))
    }

    @Test func otherFilesAreReadByOneReader() {
        // Long format (order per symbol), a blank first line, a bad header, a small file.
        let long = file(rows: 20_000, header: "date,tic,open,high,low,close,volume") { k, fields in
            fields.insert(k % 2 == 0 ? "AAA" : "BBB", at: 1)
        }
        #expect(!outcome(long).hasPrefix("error"))
        #expect(outcome(long, threads: 2) == outcome(long))
        let blank = [10] + file(rows: 20_000)
        #expect(outcome(blank, threads: 2) == outcome(blank))
        let badHeader = Array("date,open\n".utf8) + file(rows: 20_000).drop { $0 != 10 }.dropFirst()
        #expect(outcome(badHeader).hasPrefix("error"))
        #expect(outcome(badHeader, threads: 2) == outcome(badHeader))
        let small = file(rows: 100)
        #expect(outcome(small, threads: 2) == outcome(small))
        #expect(outcome([], threads: 2) == outcome([]))
    }
}
