import Testing

@testable import Quant

/// The row reader with the upload's rules (`Rules.dataset`): its fast lane (rows read straight
/// from a chunk) and its general path (a line held across chunks) give the same rows, values,
/// symbols, extra values, fields and issues.
@Suite struct OHLCVRowReaderTests {
    /// Everything a sink sees of a row, and every count and issue of the reader, as text.
    private struct Recorder: OHLCVRowSink {
        var rows: [String] = []
        mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {}
        mutating func take(_ row: OHLCVRow) -> String? {
            let numbers = [row.open, row.high, row.low, row.close, row.volume, row.adjustedClose] + Array(row.extras)
            let fields = (0..<row.fields.count).map { String(decoding: row.field($0), as: UTF8.self) }
            let symbol = String(decoding: row.symbol, as: UTF8.self)
            rows.append("\(row.line) \(row.timestamp) \(symbol) \(numbers.map(\.bitPattern)) \(fields) \(row.symbolColumn ?? -1)")
            // A refusal of the sink is reported like a bad value.
            return symbol == "REFUSE" ? "refused" : nil
        }
    }

    /// The rows and issues of `bytes` fed in chunks of `size` bytes.
    /// `bytes` read in chunks of 2, 7, 64 and 4,096 bytes and whole give what they give byte by
    /// byte (which has rows); a difference is recorded at its first entry, not as the whole file.
    private func expectReadAlikeInEveryChunkSize(_ bytes: [UInt8]) throws {
        let reference = try read(bytes, chunk: 1)
        #expect(reference.contains { $0.hasPrefix("rows ") && !$0.hasPrefix("rows 0 ") })
        for size in [2, 7, 64, 4_096, bytes.count] {
            let rows = try read(bytes, chunk: size)
            let common = min(rows.count, reference.count)
            let first = (0..<common).first { rows[$0] != reference[$0] } ?? common
            #expect(rows.count == reference.count && first == rows.count, "chunk size \(size)")
            if first < max(rows.count, reference.count) {
                Issue.record(
                    "chunk size \(size), entry \(first): \(first < rows.count ? rows[first] : "none") vs \(first < reference.count ? reference[first] : "none")"
                )
            }
        }
    }

    private func read(_ bytes: [UInt8], chunk size: Int) throws -> [String] {
        var reader = OHLCVRowReader(rules: .dataset, maximumIssues: 1_000)
        var sink = Recorder()
        var i = 0
        while i < bytes.count {
            let piece = Array(bytes[i..<min(i + size, bytes.count)])
            try piece.withUnsafeBufferPointer { (b) throws(CSVError) in try reader.feed(b, into: &sink) }
            i += size
        }
        try reader.finish(into: &sink)
        let issues = reader.issues.map { "\($0.line) \($0.column) \($0.value) \($0.reason)" }
        return sink.rows + issues + ["rows \(reader.rowCount) bad \(reader.badRowCount) values \(reader.badValueCount)"]
    }

    @Test func longFilesWithExtraColumnsReadAlikeInEveryChunkSize() throws {
        var rng = SplitMix64(seed: 2207)
        // Each field's variants: the first is plain (the fast lane's), the others leave it or are bad.
        let symbols = ["AAPL", "BRK B", "SYM00", "\"MSFT\"", " IBM", "X\tY", "", String(repeating: "S", count: 65), "ÄÖ", "REFUSE", "A\"B"]
        let extras = ["1.5", "", "nan", "NaN", "NA", "null", "NULL", "nana", "inf", "1e999", "-2.25e-3", " 7", "7 ", "x", "\"3\"", "-", "1e5", "5x"]
        let prices = ["10.5", "10", "+10.25", "0", "-1", "abc", "", " 10.5", "1e400", "10.123456789", "10.", "nan"]
        let dates = ["2024-01-02 09:30:00", "2024-01-02", "2024-01-02T09:30:00Z", "2024-13-01", "1709631000", "0000-12-31", "\"2024-01-03\""]
        var csv = "date,tic,open,high,low,close,volume,score,note\n"
        for _ in 0..<3_000 {
            func pick(_ list: [String]) -> String { rng.next() % 4 == 0 ? list[Int(rng.next() % UInt64(list.count))] : list[0] }
            let close = pick(prices)
            var fields = [pick(dates), pick(symbols), "10", "11", "9", close, pick(["100", "0", "-5", "1.5"]), pick(extras), pick(extras)]
            if rng.next() % 50 == 0 { fields.removeLast() }
            if rng.next() % 50 == 0 { fields.append("1") }
            csv += fields.joined(separator: ",") + (rng.next() % 10 == 0 ? "\r\n" : "\n")
            if rng.next() % 100 == 0 { csv += "\n" }
        }
        let bytes = Array(csv.utf8)
        try expectReadAlikeInEveryChunkSize(bytes)
    }

    /// The usual layouts (the fast lane's dedicated loop, `plainRows`) read as the general path
    /// reads them: values, fields, symbols and issues, around every odd form of every field.
    @Test(arguments: ["date,open,high,low,close,volume", "date,tic,open,high,low,close,volume", "Date,Symbol,Open,High,Low,Close,Vol"])
    func usualLayoutsReadAlikeInEveryChunkSize(header: String) throws {
        var rng = SplitMix64(seed: 2208)
        let long = header.split(separator: ",").count == 7
        let symbols = ["AAPL", "BRK B", "SYM00", "\"MSFT\"", " IBM", "", String(repeating: "S", count: 65), "REFUSE", "A,B"]
        let prices = [
            "10.5", "10", "10.25", "+10.25", "0", "-1", "abc", "", " 10.5", "10.5 ", "1e400", "1e1", "10.123456789",
            "10.", ".5", "nan", "1.2.3", "10.5\"", "1234567890.5", "0.30000000000000004",
        ]
        let volumes = ["100", "0", "-0", "-5", "1.5", "", "1e3", "+7", "12345678901234567890"]
        let dates = [
            "2024-01-02 09:30:00", "2024-01-02", "2024-01-02T09:30:00Z", "2024-01-02 09:30:00Z", "2024-13-01",
            "0000-12-31", "\"2024-01-03\"", "2024-01-02 24:00:00", "2024-01-02 09:30", " 2024-01-02", "1704153600",
        ]
        var csv = header + "\n"
        var minute = 0
        for _ in 0..<3_000 {
            func pick(_ list: [String]) -> String { rng.next() % 12 == 0 ? list[Int(rng.next() % UInt64(list.count))] : list[0] }
            // Increasing times, some repeated (the series' order check refuses those); the other
            // dates are earlier.
            minute += rng.next() % 8 == 0 ? 0 : 1
            var date = pick(dates)
            if date == dates[0] {
                date =
                    "2024-01-\(10 + minute / 1440) \(minute / 60 % 24 < 10 ? "0" : "")\(minute / 60 % 24):\(minute % 60 < 10 ? "0" : "")\(minute % 60):00"
            }
            var fields =
                [date] + (long ? [pick(symbols)] : []) + [
                    pick(prices), pick(["11", "9", "10.5"]), pick(["9", "11", "10.5"]), pick(prices), pick(volumes),
                ]
            if rng.next() % 50 == 0 { fields.removeLast() }
            if rng.next() % 50 == 0 { fields.append("1") }
            csv += fields.joined(separator: ",") + (rng.next() % 10 == 0 ? "\r\n" : (rng.next() % 50 == 0 ? "\r" : "\n"))
            if rng.next() % 100 == 0 { csv += "\n" }
        }
        let bytes = Array(csv.utf8)
        try expectReadAlikeInEveryChunkSize(bytes)
        // The series reader (its own sink and rules) alike, whole and byte by byte.
        if !long {
            func series(_ size: Int) -> String {
                var reader = OHLCVCSVReader(maximumIssues: 10_000)
                do {
                    var i = 0
                    while i < bytes.count {
                        try reader.feed(Array(bytes[i..<min(i + size, bytes.count)]))
                        i += size
                    }
                    let s = try reader.finish()
                    return "\(s.timestamps) \(s.open.map(\.bitPattern)) \(s.close.map(\.bitPattern)) \(s.volume.map(\.bitPattern))"
                } catch {
                    return "\(error)"
                }
            }
            let whole = series(bytes.count)
            #expect(whole.contains("invalid rows"))
            #expect(series(1) == whole)
        }
    }

    @Test func plainLongRowsKeepTheirSymbolsAndExtras() throws {
        let csv =
            "date,tic,open,high,low,close,volume,score\n2024-01-02 09:30:00,AAPL,10,11,9,10.5,100,1.25\n"
            + "2024-01-02 09:30:00,BRK B,20,21,19,20.5,0,\n2024-01-02 09:31:00,AAPL,10,11,9,10.5,100,NULL\n"
        let rows = try read(Array(csv.utf8), chunk: csv.utf8.count)
        let nan = Double.nan.bitPattern
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("2 \(Int64(TimestampParser.daysFromCivil(2024, 1, 2)) * 86_400 + 34_200) AAPL"))
        #expect(rows[0].contains("\(1.25.bitPattern)]"))
        #expect(rows[1].contains(" BRK B ") && rows[1].contains("\(nan)]"))
        #expect(rows[2].contains("\(nan)]") && rows[2].hasSuffix(" 1"))
        #expect(rows[3] == "rows 3 bad 0 values 0")
    }
}
