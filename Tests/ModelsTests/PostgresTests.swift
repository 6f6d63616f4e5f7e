import Foundation
import TestSupport
import Testing

@testable import Models
@testable import PostgresClient
@testable import RedisClient

/// The libpq client against the test stack's real PostgreSQL.
@Suite struct PostgresTests {
    let database: Database
    init() throws { database = Database(url: try TestStack.current().databaseURL) }

    @Test func valuesRoundTripThroughBinds() throws {
        let text = "quote ' backslash \\ dollar $1 unicode € \u{1F4C8}"
        let when = Date(timeIntervalSince1970: 1_795_570_948.5)
        let id = UUID()
        let rows = try database.query(
            """
            SELECT \(text)::text AS t, \(Int64.max)::bigint AS big, \(3.25)::float8 AS f, \(true)::bool AS b,
                   \(when)::timestamptz AS ts, \(id)::uuid AS u, \(nil as String?)::text AS n
            """)
        let row = try #require(rows.first)
        #expect(try row.decode("t", as: String.self) == text)
        #expect(try row.decode("big", as: Int64.self) == Int64.max)
        #expect(try row.decode("f", as: Double.self) == 3.25)
        #expect(try row.decode("b", as: Bool.self) == true)
        #expect(try row.decode("ts", as: Date.self) == when)
        #expect(try row.decode("u", as: UUID.self) == id)
        #expect(try row.decodeIfPresent("n", as: String.self) == nil)
        #expect(throws: DatabaseError.self) { try row.decode("n", as: String.self) }
        #expect(throws: DatabaseError.self) { try row.decode("missing", as: String.self) }
        #expect(throws: DatabaseError.self) { try row.decode("t", as: Int.self) }
    }

    /// Every timestamp PostgreSQL can hold decodes, so no stored value can make a list
    /// unusable; PostgreSQL's own `extract(epoch …)` is the reference.
    @Test func everyStoredTimestampDecodes() throws {
        for literal in [
            "12345-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC", "9999-12-31T23:59:59-12:00",
            "2024-02-29 12:30:45.25+05:30", "1900-02-28 23:59:59.999999+00", "0001-01-01 00:00:00+00",
        ] {
            let row = try #require(
                try database.query(
                    """
                    SELECT \(literal)::timestamptz AS t, extract(epoch FROM \(literal)::timestamptz)::float8 AS epoch
                    """
                ).first)
            let expected = try row.decode("epoch", as: Double.self)
            #expect(abs(try row.decode("t", as: Date.self).timeIntervalSince1970 - expected) < 1e-6, "\(literal)")
        }
        let row = try #require(try database.query("SELECT 'infinity'::timestamptz AS inf, '-infinity'::timestamptz AS ninf").first)
        #expect(try row.decode("inf", as: Date.self) == .distantFuture)
        #expect(try row.decode("ninf", as: Date.self) == .distantPast)
    }

    /// Binary parameters (packed `bytea`, `bigint[]`/`float8[]` in `array_recv`'s format) are
    /// the values PostgreSQL's own text output names, extremes, NULLs and empty arrays included.
    @Test func binaryParametersAreTheValues() throws {
        let doubles: [Double?] = [0, -0.0, 1.5, -2e-5, 1e-300, 1e300, 5e-324, .greatestFiniteMagnitude, nil, .infinity, -.infinity, .nan]
        let integers: [Int64?] = [0, 1, -1, Int64.max, Int64.min, nil, 42]
        let packed: [Double] = [1.5, -0.0, .nan, 1e300]
        let row = try #require(
            try database.query(
                """
                SELECT \(BinaryArray(doubles))::float8[]::text AS d, \(BinaryArray(integers))::bigint[]::text AS i,
                       \(BinaryArray([Double]()))::float8[]::text AS e, cardinality(\(BinaryArray([Int64]()))::bigint[]) AS ie,
                       \(BinaryArray([Double?](repeating: nil, count: 3)))::float8[]::text AS nulls,
                       \(PackedColumn(packed))::bytea = \(PackedColumn(packed).sqlBytes.sqlText)::bytea AS same,
                       length(\(PackedColumn([Int64]()))::bytea) AS empty,
                       get_byte(\(PackedColumn([Int64(258)]))::bytea, 7) AS low, float8send(1.5) = substr(\(PackedColumn(packed))::bytea, 1, 8) AS first
                """
            ).first)
        #expect(SQLArray.parseDoubles(try row.decode("d", as: String.self)).map { $0?.bitPattern } == doubles.map { $0?.bitPattern })
        #expect(SQLArray.parseIntegers(try row.decode("i", as: String.self)) == integers)
        #expect(try row.decode("e", as: String.self) == "{}")
        #expect(try row.decode("ie", as: Int.self) == 0)
        #expect(try row.decode("nulls", as: String.self) == "{NULL,NULL,NULL}")
        #expect(try row.decode("same", as: Bool.self))
        #expect(try row.decode("empty", as: Int.self) == 0)
        #expect(try row.decode("low", as: Int.self) == 2)
        #expect(try row.decode("first", as: Bool.self))
        // A text parameter beside binary ones keeps its own format.
        let mixed = try #require(
            try database.query("SELECT \(3)::int AS n, cardinality(\(BinaryArray([1.0, 2.0]))::float8[]) AS c, \("x")::text AS t").first)
        #expect(try mixed.decode("n", as: Int.self) == 3 && mixed.decode("c", as: Int.self) == 2 && mixed.decode("t", as: String.self) == "x")
    }

    /// Arrays in a binary result (`bigint[]`, `float8[]`, `text[]`, as `bar_chunks` holds them)
    /// decode to the values PostgreSQL's own text output names, concatenated over rows; the
    /// dense encoders (no NULLs) give what `array_recv` reads, extremes and empty arrays included.
    @Test func binaryArrayResultsAreTheValues() throws {
        let doubles: [Double] = [0, -0.0, 1.5, -2e-5, 1e-300, 1e300, 5e-324, .greatestFiniteMagnitude, .infinity, -.infinity]
        let integers: [Int64] = [0, 1, -1, Int64.max, Int64.min, 42]
        let texts: [[UInt8]?] = [Array("{1.5,NULL}".utf8), nil, [], Array("é\\\"".utf8)]
        let result = try database.columns(
            """
            SELECT d, i, t, d::text AS dt, i::text AS it FROM (VALUES
                (\(BinaryArray(doubles))::float8[], \(BinaryArray(integers))::bigint[], \(BinaryArray(texts: texts))::text[], 1),
                (\(BinaryArray([Double]()))::float8[], \(BinaryArray([Int64]()))::bigint[], NULL, 2),
                ('{7.25}'::float8[], '{9}'::bigint[], '{x}'::text[], 3)) v(d, i, t, k) ORDER BY k
            """)
        #expect(try result.concatenatedDoubles("d").map(\.bitPattern) == (doubles + [7.25]).map(\.bitPattern))
        #expect(try result.concatenatedIntegers("i") == integers + [9])
        #expect(SQLArray.parseDoubles(try #require(try result.text("dt", row: 0))).map { $0?.bitPattern } == doubles.map { $0.bitPattern })
        #expect(SQLArray.parseIntegers(try #require(try result.text("it", row: 0))) == integers.map(Optional.some))
        var decoded: [String?] = []
        try #require(try result.array("t", row: 0)).withUnsafeBytes { try BinaryArray.appendTexts($0, column: "t", to: &decoded) }
        #expect(decoded == texts.map { $0.map { String(decoding: $0, as: UTF8.self) } })
        #expect(try result.array("t", row: 1) == nil)
    }

    /// `timestamptz` in a binary result is the time PostgreSQL's `extract(epoch …)` names (whole
    /// seconds exactly, fractions within a microsecond), before 1970 and 2000 too; NULL is nil.
    @Test func binaryTimestampsAreTheirEpochs() throws {
        let literals = [
            "2026-11-25 01:22:28+00", "1999-12-31 23:59:59.5+00", "1969-07-20 20:17:40.000001+00", "2000-01-01 00:00:00+00",
            "0044-03-15 12:00:00+00 BC", "9999-12-31 23:59:59+00",
        ]
        for literal in literals {
            let result = try database.columns(
                "SELECT \(literal)::timestamptz AS t, extract(epoch FROM \(literal)::timestamptz)::float8 AS epoch, NULL::timestamptz AS n")
            let date = try #require(try result.dates("t").first ?? nil)
            let epoch = try result.doubles("epoch")[0]
            #expect(abs(date.timeIntervalSince1970 - epoch) <= (epoch == epoch.rounded() ? 0 : 1e-6), "\(literal)")
            #expect(try result.dates("n") == [nil])
        }
        let infinite = try database.columns("SELECT 'infinity'::timestamptz AS a, '-infinity'::timestamptz AS b")
        #expect(try infinite.dates("a") == [.distantFuture] && infinite.dates("b") == [.distantPast])
    }

    @Test func injectionAttemptsStayValues() throws {
        let hostile = "'; DROP TABLE audit_events; --"
        let rows = try database.query("SELECT \(hostile) AS v, length(\(hostile)) AS n")
        #expect(try rows[0].decode("v", as: String.self) == hostile)
        #expect(try database.query("SELECT to_regclass('audit_events') IS NOT NULL AS present")[0].decode("present", as: Bool.self))
    }

    @Test func sqlStatesAreKept() throws {
        let table = "tm_test_\(UInt32.random(in: 0...UInt32.max))"
        _ = table
        try database.execute("CREATE TEMP TABLE uniq_test (k text PRIMARY KEY)")
        try database.execute("INSERT INTO uniq_test VALUES (\("a"))")
        do {
            try database.execute("INSERT INTO uniq_test VALUES (\("a"))")
            Issue.record("duplicate accepted")
        } catch let error as DatabaseError {
            #expect(error.isUniqueViolation)
        }
        #expect(throws: DatabaseError.self) { try database.query("SELECT * FROM no_such_table") }
        try database.execute("DROP TABLE uniq_test")
    }

    @Test func transactionsRollBackOnError() throws {
        try database.execute("CREATE TEMP TABLE tx_test (v int)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.transaction { tx in
                try tx.execute("INSERT INTO tx_test VALUES (\(1))")
                throw Stop()
            }
        }
        _ = try database.transaction { tx in try tx.execute("INSERT INTO tx_test VALUES (\(2))") }
        let values = try database.query("SELECT v FROM tx_test").map { try $0.decode("v", as: Int.self) }
        #expect(values == [2])
        try database.execute("DROP TABLE tx_test")
    }

    @Test func unreachableServerIsUnavailable() {
        let nowhere = Database(url: "postgresql://nobody@127.0.0.1:1/none")
        do {
            _ = try nowhere.query("SELECT 1")
            Issue.record("connected to port 1")
        } catch DatabaseError.unavailable {
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// The hiredis client against the test stack's real Redis.
@Suite struct RedisTests {
    let redis: Redis
    init() throws {
        let stack = try TestStack.current()
        redis = Redis(endpoint: try #require(RedisEndpoint(url: stack.redisURL)))
    }

    @Test func binarySafeValues() throws {
        let key = "test:binary:\(UUID().uuidString)"
        let value: [UInt8] = [0, 13, 10, 36, 42, 255, 0]
        try redis.command([Array(key.utf8), Array("SET".utf8)].reversed() + [value])
        #expect(try redis.command(["GET", key]) == .string(value))
        #expect(try redis.command(["DEL", key]) == .integer(1))
        #expect(try redis.command(["GET", key]) == .null)
    }

    @Test func errorRepliesThrow() {
        #expect(throws: RedisError.self) { try redis.command(["NOSUCHCOMMAND"]) }
    }

    @Test func arraysAndIntegers() throws {
        let key = "test:list:\(UUID().uuidString)"
        try redis.command(["RPUSH", key, "a", "b"])
        #expect(try redis.command(["LRANGE", key, "0", "-1"]) == .array([.string(Array("a".utf8)), .string(Array("b".utf8))]))
        #expect(try redis.command(["INCRBY", key + ":n", "5"]).integer == 5)
        try redis.command(["DEL", key, key + ":n"])
    }

    @Test func unreachableServerIsUnavailable() {
        let nowhere = Redis(endpoint: RedisEndpoint(url: "redis://127.0.0.1:1/0")!)
        do {
            try nowhere.command(["PING"])
            Issue.record("connected to port 1")
        } catch RedisError.unavailable {
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
