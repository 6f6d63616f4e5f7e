import Foundation
import Testing

@testable import Models
@testable import PostgresClient

@Suite struct SQLTests {
    @Test func interpolatedValuesBecomeNumberedBinds() {
        let id = 42
        let name = "x'; DROP TABLE users; --"
        let sql: SQL = "SELECT * FROM users WHERE id = \(id) AND name = \(name)"
        #expect(sql.text == "SELECT * FROM users WHERE id = $1 AND name = $2")
        #expect(sql.binds == ["42", "x'; DROP TABLE users; --"])
    }

    @Test func nilBindsAsNull() {
        let missing: String? = nil
        let sql: SQL = "UPDATE t SET note = \(missing)"
        #expect(sql.text == "UPDATE t SET note = $1")
        #expect(sql.binds == [nil])
    }

    @Test func fragmentsAreLiteralText() {
        let column = SQLFragment("created_at")
        let sql: SQL = "SELECT id FROM t ORDER BY \(unsafeFragment: column) LIMIT \(10)"
        #expect(sql.text == "SELECT id FROM t ORDER BY created_at LIMIT $1")
        #expect(sql.binds == ["10"])
    }

    @Test func valueEncodings() {
        #expect(true.sqlText == "true")
        #expect(Double.nan.sqlText == "NaN")
        #expect(Double.infinity.sqlText == "Infinity")
        #expect([UInt8]([0, 255, 16]).sqlText == "\\x00ff10")
        #expect(Date(timeIntervalSince1970: 1_764_000_000.25).sqlText == "2025-11-24T16:00:00.250000Z")
        #expect(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!.sqlText == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
    }

    @Test func timestampsParseFromPostgresText() throws {
        let date = try #require(Date(sqlText: "2026-11-25 01:22:28.123456+00"))
        #expect(abs(date.timeIntervalSince1970 - 1_795_569_748.123456) < 1e-6)
        let offset = try #require(Date(sqlText: "2026-11-25 03:22:28+02"))
        #expect(offset.timeIntervalSince1970 == 1_795_569_748)
        #expect(Date(sqlText: "not a date") == nil)
    }
}
