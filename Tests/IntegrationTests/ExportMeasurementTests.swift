import Foundation
import TestSupport
import Testing

/// The time of a large CSV export (`GET /api/v1/data/datasets/{id}/bars?format=csv`) and the
/// plan of one of its pages. Slow (it writes millions of bars), so it runs only when
/// `TM_MEASURE_EXPORT_ROWS` is set: `TM_MEASURE_EXPORT_ROWS=1500000 ./scripts/test --filter
/// ExportMeasurementTests`.
@Suite(.serialized) struct ExportMeasurementTests {
    static let rows = Int(ProcessInfo.processInfo.environment["TM_MEASURE_EXPORT_ROWS"] ?? "") ?? 0

    @Test(.enabled(if: rows > 0)) func aLargeExport() throws {
        let sx = try StrategyFixtures()
        let (_, auth) = try sx.account()
        let symbols = 10
        let perSymbol = Self.rows / symbols
        let seed = "date,tic,open,high,low,close,volume\n2020-01-01 00:00:00,S00,1,2,0.5,1.5,10\n"
        let response = try sx.client.send(
            "POST", "/api/v1/data/upload?name=export-measure-\(UUID().uuidString.prefix(6))",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(seed.utf8))
        #expect(response.status == 201, "\(response.text)")
        let id = try #require(response.json["id"] as? Int)
        // Minute bars for S00…S09, written by SQL (the upload path is not what is measured).
        _ = try sx.stack.sql(
            """
            DELETE FROM bar_chunks WHERE dataset_id = \(id);
            INSERT INTO bar_chunks (dataset_id, symbol, first_ts, last_ts, bar_count, ts, open, high, low, close, volume)
            SELECT \(id), symbol, min(ts), max(ts), count(*), array_agg(ts ORDER BY ts), array_agg(open ORDER BY ts),
                array_agg(high ORDER BY ts), array_agg(low ORDER BY ts), array_agg(close ORDER BY ts), array_agg(volume ORDER BY ts)
            FROM (SELECT 'S' || lpad(s::text, 2, '0') AS symbol, 1577836800 + 60 * i AS ts, (1 + i % 7)::float8 AS open,
                         (2 + i % 7)::float8 AS high, 0.5::float8 AS low, (1.5 + i % 7)::float8 AS close, 10::float8 AS volume, i / 8192 AS chunk
                  FROM generate_series(0, \(symbols - 1)) s, generate_series(0, \(perSymbol - 1)) i) b
            GROUP BY symbol, chunk;
            UPDATE datasets SET row_count = \(symbols * perSymbol) WHERE id = \(id);
            ANALYZE bar_chunks;
            """)
        let started = Date()
        let token = try #require(auth["Authorization"])
        let out = try TestStack.run([
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", "Authorization: \(token)",
            "--max-time", "1800", sx.stack.baseURL + "/api/v1/data/datasets/\(id)/bars?format=csv",
        ]).output
        let seconds = Date().timeIntervalSince(started)
        print("export-measure: \(symbols * perSymbol) rows, answer \(out), \(String(format: "%.2f", seconds)) s")
        #expect(out.hasPrefix("200 "))
        let plan = try sx.stack.sql(
            """
            EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
            SELECT first_ts, bar_count, ts, open, high, low, close, volume, extra FROM bar_chunks
            WHERE dataset_id = \(id) AND symbol = 'S05' AND first_ts > \(1_577_836_800 + 60 * (perSymbol / 2)) AND first_ts < 9223372036854775807
              AND last_ts >= -9223372036854775808
            ORDER BY first_ts LIMIT 4
            """)
        print("export-measure: plan of a page:\n\(plan)")
        let symbolsPlan = try sx.stack.sql(
            """
            EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
            WITH RECURSIVE s AS (
                SELECT min(symbol) AS symbol FROM bar_chunks WHERE dataset_id = \(id)
                UNION ALL
                SELECT (SELECT min(symbol) FROM bar_chunks WHERE dataset_id = \(id) AND symbol > s.symbol) FROM s WHERE s.symbol IS NOT NULL
            )
            SELECT symbol FROM s WHERE symbol IS NOT NULL
            """)
        print("export-measure: plan of the symbol list:\n\(symbolsPlan)")
        #expect(plan.contains("Index Scan using bar_chunks_pkey") && !plan.contains("Sort"), "\(plan)")
    }
}
