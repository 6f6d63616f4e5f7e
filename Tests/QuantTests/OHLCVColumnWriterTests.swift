import Testing

@testable import Quant

/// The whole-buffer parse of a usual-layout file (rows written straight into the columns by
/// ``OHLCVColumnWriter``) gives what the stream gives (``OHLCVSeriesBuilder``): the same
/// columns bit for bit, or the same error with the same issues.
@Suite struct OHLCVColumnWriterTests {
    /// A parse's answer as text: every column bit for bit, or the error.
    private func outcome(_ read: () throws(CSVError) -> OHLCVSeries) -> String {
        do {
            let s = try read()
            let columns = [s.open, s.high, s.low, s.close, s.volume].map { $0.map(\.bitPattern) }
            return "\(s.count) \(s.timestamps) \(columns) \(s.adjustedClose == nil) \(s.symbols == nil)"
        } catch {
            return "error \(error)"
        }
    }

    /// `bytes` whole, and streamed in pieces of `size` bytes.
    private func expectWholeReadsAsStreamed(_ bytes: [UInt8], _ label: String) {
        let whole = outcome { () throws(CSVError) in try OHLCVCSVReader.parse(bytes) }
        for size in [7, 65_536] {
            let streamed = outcome { () throws(CSVError) in
                var reader = OHLCVCSVReader()
                var i = 0
                while i < bytes.count {
                    try reader.feed(Array(bytes[i..<min(i + size, bytes.count)]))
                    i += size
                }
                return try reader.finish()
            }
            #expect(whole == streamed, "\(label), pieces of \(size)")
        }
    }

    /// Rows of the usual layout, with odd fields mixed in at `oddness` (one in `oddness`).
    private func rows(_ count: Int, oddness: UInt64, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        let prices = [
            "10.5", "100.0059", "10", "+10.25", "-1", "abc", "", " 10.5", "1e1", "10.", ".5", "1.2.3", "12345678.5",
            "1234.56789012", "0.30000000000000004", "10,5", "\"10.5\"",
        ]
        let volumes = ["9479", "0", "-0", "1.5", "", "1e3", "123456789", "12345678901234567890", "7\r"]
        var text = ""
        var minute = 0
        for _ in 0..<count {
            func pick(_ list: [String]) -> String { rng.next() % oddness == 0 ? list[Int(rng.next() % UInt64(list.count))] : list[0] }
            minute += rng.next() % (oddness * 4) == 0 ? 0 : 1
            let hour = 9 + minute / 60 % 10
            var date = "2024-03-\(10 + minute / 600) \(hour < 10 ? "0" : "")\(hour):\(minute % 60 < 10 ? "0" : "")\(minute % 60):00"
            if rng.next() % oddness == 0 { date = ["2024-03-01", "2024-13-01", "1709631000", "2024-03-10T09:30:00Z"][Int(rng.next() % 4)] }
            let close = pick(prices)
            var fields = [date, close, pick(["11", "1234567.1234567"]), pick(["9", "0.0000001"]), close, pick(volumes)]
            if rng.next() % (oddness * 4) == 0 { fields.removeLast() }
            if rng.next() % (oddness * 4) == 0 { fields.append("1") }
            text += fields.joined(separator: ",") + (rng.next() % 10 == 0 ? "\r\n" : "\n")
            if rng.next() % (oddness * 8) == 0 { text += "\n" }
        }
        return text
    }

    @Test func usualFilesReadAsStreamed() {
        let header = "date,open,high,low,close,volume\n"
        // Clean: every row taken by the 64-byte separator search.
        let clean = rows(5_000, oddness: 1 << 40, seed: 1)
        expectWholeReadsAsStreamed(Array((header + clean).utf8), "clean")
        #expect(outcome { () throws(CSVError) in try OHLCVCSVReader.parse(Array((header + clean).utf8)) }.hasPrefix("5000 "))
        // Without the last line break, with a BOM, header aliases, an extra column, CR LF.
        expectWholeReadsAsStreamed(Array((header + clean).utf8.dropLast()), "no last line break")
        expectWholeReadsAsStreamed([0xEF, 0xBB, 0xBF] + Array((header + clean).utf8), "BOM")
        expectWholeReadsAsStreamed(Array(("Date,Open,High,Low,Close,Vol\n" + clean).utf8), "aliases")
        let crlf = (header + clean).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        expectWholeReadsAsStreamed(Array(crlf.utf8), "CR LF")
        let extra = clean.split(separator: "\n").map { $0 + ",x" }.joined(separator: "\n")
        expectWholeReadsAsStreamed(Array(("date,open,high,low,close,volume,note\n" + extra + "\n").utf8), "extra column")
        // Odd fields: rows the search hands to the field-after-field loop, rows that loop
        // leaves to the general path, bad rows (the error and its issues), repeated times.
        for (seed, oddness) in [(2, 3), (3, 12), (4, 40)] as [(UInt64, UInt64)] {
            let odd = Array((header + rows(3_000, oddness: oddness, seed: seed)).utf8)
            expectWholeReadsAsStreamed(odd, "odd fields, 1 in \(oddness)")
        }
        // Other layouts go to the series builder, with the same answers.
        expectWholeReadsAsStreamed(Array(("date,close\n2024-01-02,10\n2024-01-03,11\n").utf8), "date and close")
        expectWholeReadsAsStreamed(Array(("\ndate,open,high,low,close,volume\n2024-01-02,10,11,9,10,5\n").utf8), "blank first line")
        expectWholeReadsAsStreamed(Array(("date,open,high,low,close,volume\n").utf8), "no rows")
    }

    @Test func lineFeedsAreCounted() {
        var rng = SplitMix64(seed: 7)
        // Lengths around the 16-byte blocks and past the 255 blocks of one counter round.
        for length in [0, 1, 15, 16, 17, 63, 64, 65, 255 * 16 - 1, 255 * 16, 255 * 16 + 1, 9_000, 100_003] {
            for density: UInt64 in [1, 2, 50] {
                let bytes = (0..<length).map { _ in rng.next() % density == 0 ? UInt8(10) : UInt8(rng.next() % 256) }
                let expected = bytes.count { $0 == 10 }
                bytes.withUnsafeBufferPointer { b in
                    #expect(OHLCVColumnWriter.lineFeeds(in: b) == expected, "length \(length), one in \(density)")
                }
            }
        }
    }

    @Test func aFullWriterWritesNoFurther() throws {
        let t = UnsafeMutablePointer<Int64>.allocate(capacity: 3)
        let columns = (0..<5).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: 3) }
        defer {
            t.deallocate()
            for c in columns { c.deallocate() }
        }
        t.initialize(repeating: -1, count: 3)
        for c in columns { c.initialize(repeating: -1, count: 3) }
        var writer = OHLCVColumnWriter(
            timestamps: t, open: columns[0], high: columns[1], low: columns[2], close: columns[3], volume: columns[4], capacity: 2)
        var reader = OHLCVRowReader(rules: .series)
        let csv = Array("date,open,high,low,close,volume\n2024-01-02,10,11,9,10,5\n2024-01-03,10,11,9,10,5\n2024-01-04,10,11,9,10,5\n".utf8)
        try csv.withUnsafeBufferPointer { (b) throws(CSVError) in try reader.feed(b, into: &writer) }
        try reader.finish(into: &writer)
        #expect(writer.count == 2 && writer.overflowed)
        #expect(t[2] == -1 && columns.allSatisfy { $0[2] == -1 })
        #expect(t[1] == Int64(TimestampParser.daysFromCivil(2024, 1, 3)) * 86_400 && columns[4][1] == 5)
    }
}
