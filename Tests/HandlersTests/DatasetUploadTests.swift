import Foundation
import TestSupport
import Testing

/// A refused upload leaves nothing behind: neither rows nor the dead tuples of rows written
/// before the file was refused (issue 26 item 9). In-process, on a database of the suite's
/// own, so its size moves only with this suite's uploads.
@Suite(.inProcess("upload_bloat"), .serialized) struct DatasetUploadTests {
    let fx: AuthFixtures

    init() throws {
        fx = try InProcessApp.suite().fixtures
    }

    /// A wide minute file of about `megabytes` MB, one row per line from line 2 on.
    static func minuteFile(megabytes: Int) -> (text: String, rows: Int) {
        var text = "date,open,high,low,close,volume\n"
        text.reserveCapacity((megabytes + 1) << 20)
        var t = 946_684_800
        var rows = 0
        while text.utf8.count < megabytes << 20 {
            text += "\(t),100.125,101.5,99.75,100.5,12345\n"
            t += 60
            rows += 1
        }
        return (text, rows)
    }

    func databaseSize() throws -> Int {
        try #require(Int(try fx.sql("SELECT pg_database_size(current_database())")))
    }

    /// 24 MB (about 600,000 rows) refused at its last line, once for a bad value and once for
    /// a duplicate time: on the COPY straight into `bars` (main at 02b37d8) each left 85 MB of dead
    /// rows and index entries (8.7 -> 93.8 -> 178.7 MB); now the database stays within 5 %.
    @Test func aRefusedLargeUploadLeavesTheDatabaseItsSize() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, rows) = Self.minuteFile(megabytes: 24)
        let cases: [(name: String, last: String, column: String)] = [
            ("bad-value", "2000000000,1,2,0.5,abc,100\n", "close"),
            // The first row again: its time repeats the first bar's.
            ("late-duplicate", "946684800,100.125,101.5,99.75,100.5,12345\n", "date"),
        ]
        for (name, last, column) in cases {
            let before = try databaseSize()
            let response = try fx.client.send(
                "POST", "/api/v1/data/upload?name=\(name)&symbol=BIG", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
                body: Array((text + last).utf8))
            #expect(response.status == 422, "\(response.text.prefix(300))")
            let first = (response.json["errors"] as? [[String: Any]])?.first
            #expect(first?["line"] as? Int == rows + 2, "\(response.text.prefix(300))")
            #expect(first?["column"] as? String == column, "\(response.text.prefix(300))")
            let after = try databaseSize()
            #expect(Double(after) <= Double(before) * 1.05, "\(name): the database grew from \(before) to \(after) bytes")
            #expect(try fx.sql("SELECT count(*) FROM bars") == "0")
            print("refused \(name) upload of \(text.utf8.count) bytes: database \(before) -> \(after) bytes")
        }
        // The same file without the bad line is stored whole.
        let stored = try fx.client.send(
            "POST", "/api/v1/data/upload?name=good&symbol=BIG", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
            body: Array(text.utf8))
        #expect(stored.status == 201, "\(stored.text.prefix(300))")
        #expect(try fx.sql("SELECT count(*) FROM bars") == String(rows))
    }
}
