import Foundation
import TestSupport
import Testing

/// `/api/v1/data/datasets` in-process: lists, ETags, ownership.
@Suite(.inProcess("datasets")) struct DatasetHandlersTests {
    let fx: AuthFixtures

    init() throws {
        fx = try InProcessApp.suite().fixtures
    }

    func create(_ auth: [String: String], name: String, tags: String = "", text: String? = nil, symbol: String = "SPY") throws -> [String: Any] {
        let body = text ?? DataFixtures.wideDaily(count: 30).text
        let query = "name=\(name)&symbol=\(symbol)" + (tags.isEmpty ? "" : "&tags=\(tags)")
        let response = try fx.client.send(
            "POST", "/api/v1/data/upload?" + query, headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
            body: Array(body.utf8))
        #expect(response.status == 201, "\(response.text)")
        return response.json
    }

    @Test func listsFilterSortAndPage() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        _ = try create(auth, name: "beta", tags: "fx,daily")
        _ = try create(auth, name: "Alpha", tags: "daily", text: DataFixtures.wideDaily(count: 60).text)
        _ = try create(auth, name: "gamma", tags: "crypto", symbol: "BTC")
        let all = try fx.client.send("GET", "/api/v1/data/datasets?sort=name", headers: auth)
        #expect(all.status == 200)
        #expect(all.json["total"] as? Int == 3)
        #expect((all.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Alpha", "beta", "gamma"])
        let byRows = try fx.client.send("GET", "/api/v1/data/datasets?sort=-row_count&limit=1", headers: auth)
        #expect((byRows.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Alpha"])
        #expect(byRows.json["total"] as? Int == 3 && byRows.json["limit"] as? Int == 1)
        let daily = try fx.client.send("GET", "/api/v1/data/datasets?tags=daily&sort=name", headers: auth)
        #expect((daily.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Alpha", "beta"])
        let fx2 = try fx.client.send("GET", "/api/v1/data/datasets?tags=daily,fx", headers: auth)
        #expect((fx2.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["beta"])
        let btc = try fx.client.send("GET", "/api/v1/data/datasets?symbol=BTC", headers: auth)
        #expect((btc.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["gamma"])
        let search = try fx.client.send("GET", "/api/v1/data/datasets?q=ALP", headers: auth)
        #expect((search.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Alpha"])
        let page2 = try fx.client.send("GET", "/api/v1/data/datasets?sort=name&page=2&page_size=2", headers: auth)
        #expect((page2.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["gamma"])
        let bad = try fx.client.send("GET", "/api/v1/data/datasets?sort=size", headers: auth)
        #expect(bad.status == 422 && (bad.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "sort")
    }

    @Test func csvExportTakesASymbolAndKeepsFormulasText() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let text = """
            date,tic,open,high,low,close,volume
            2024-01-02,AAA,1,2,0.5,1.5,100
            2024-01-02,=CMD,1,2,0.5,1.5,100
            2024-01-03,AAA,1,2,0.5,1.25,100
            2024-01-03,=CMD,1,2,0.5,1.25,100

            """
        let id = try #require(try create(auth, name: "two-symbols", text: text)["id"] as? Int)
        // The time-major file's rows were stored as one chunk per symbol, each in time order.
        let chunks = try fx.sql(
            "SELECT string_agg(symbol || ':' || bar_count || ':' || array_to_string(ts, '/'), ' ' ORDER BY symbol, first_ts) FROM bar_chunks WHERE dataset_id = \(id)"
        )
        #expect(chunks == "=CMD:2:1704153600/1704240000 AAA:2:1704153600/1704240000", "\(chunks)")
        let one = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv&symbol=AAA", headers: auth)
        #expect(one.status == 200, "\(one.text)")
        let lines = one.text.split(separator: "\n")
        #expect(lines.count == 3, "\(one.text)")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",AAA,") } && !one.text.contains("CMD"))
        let unknown = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv&symbol=ZZZ", headers: auth)
        #expect(unknown.status == 422 && (unknown.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "symbol")
        // A text cell that a spreadsheet would run as a formula keeps a leading apostrophe.
        let all = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(all.status == 200 && all.text.split(separator: "\n").count == 5)
        #expect(all.text.contains(",'=CMD,") && !all.text.contains(",=CMD,"), "\(all.text)")
    }

    /// `max_points` buckets formed in the worker are those of PostgreSQL's bucketing query
    /// (the reference here, as it was the route's before): uneven buckets, a range, one
    /// bucket, more buckets than rows, fractional volumes.
    @Test func bucketsEqualPostgresAggregation() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        var lines = ["date,open,high,low,close,volume"]
        var generator = SystemRandomNumberGenerator()
        let day0 = 1_577_836_800
        for k in 0..<997 {
            let open = Double(Int.random(in: 1000...2000, using: &generator)) / 8
            let close = Double(Int.random(in: 1000...2000, using: &generator)) / 8
            let high = max(open, close) + Double(Int.random(in: 0...100, using: &generator)) / 16
            let low = min(open, close) - Double(Int.random(in: 0...100, using: &generator)) / 16
            let volume = Double(Int.random(in: 0...1_000_000, using: &generator)) / 1000 + 0.1
            let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(day0 + k * 86_400))).prefix(10)
            lines.append("\(date),\(open),\(high),\(low),\(close),\(volume)")
        }
        let id = try #require(try create(auth, name: "buckets", text: lines.joined(separator: "\n") + "\n", symbol: "BKT")["id"] as? Int)
        let dates = ISO8601DateFormatter()
        for (points, range) in [(10, ""), (7, ""), (100, ""), (1, ""), (996, ""), (1000, ""), (33, "&start=2020-03-01&end=2021-07-15")] {
            let response = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?max_points=\(points)\(range)", headers: auth)
            #expect(response.status == 200, "\(response.text)")
            let start = range.isEmpty ? "NULL" : "extract(epoch FROM timestamptz '2020-03-01Z')::bigint"
            let end = range.isEmpty ? "NULL" : "extract(epoch FROM timestamptz '2021-07-15Z')::bigint"
            let reference = try fx.sql(
                """
                WITH r AS (
                    SELECT ts, open, high, low, close, volume, row_number() OVER (ORDER BY ts) - 1 AS i, count(*) OVER () AS n
                    FROM bars WHERE dataset_id = \(id) AND symbol = 'BKT'
                      AND ts >= coalesce(\(start)::bigint, ts) AND ts < coalesce(\(end)::bigint, ts + 1))
                SELECT min(ts), (array_agg(open ORDER BY ts))[1], max(high), min(low), (array_agg(close ORDER BY ts DESC))[1],
                       sum(volume), max(n)
                FROM r GROUP BY i * \(points) / n ORDER BY 1
                """
            ).split(separator: "\n").map { $0.split(separator: "|").map { Double($0)! } }
            let time = (response.json["time"] as? [String] ?? []).compactMap { dates.date(from: $0)?.timeIntervalSince1970 }
            let columns = ["open", "high", "low", "close"].map { response.json[$0] as? [Double] ?? [] }
            let volume = response.json["volume"] as? [Double] ?? []
            #expect(time.count == reference.count && columns.allSatisfy { $0.count == reference.count } && volume.count == reference.count)
            #expect(response.json["source_rows"] as? Int == reference.first.map { Int($0[6]) })
            #expect(reference.count == min(points, Int(reference.first?[6] ?? 0)) && reference.count > 0, "\(points)\(range)")
            for (k, row) in reference.enumerated() where k < time.count && k < volume.count {
                #expect(time[k] == row[0] && (0..<4).allSatisfy { columns[$0][k] == row[$0 + 1] }, "\(points)\(range) bucket \(k)")
                #expect(abs(volume[k] - row[5]) <= 1e-12 * row[5], "\(points)\(range) bucket \(k): \(volume[k]) vs \(row[5])")
            }
        }
    }

    /// Bars are stored as chunks of 8,192 consecutive bars of a symbol, from a file in order
    /// (cut while parsing) and from a shuffled one (sorted and cut by PostgreSQL) alike; a
    /// range that crosses a chunk's edge reads, counts, buckets and exports exactly the bars
    /// in it. The reference is the generator: bar `i` is at `t0 + 60 i` with close `i + 1000.5`.
    @Test func chunksHoldRunsOfBarsAndRangesCrossTheirEdges() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let t0 = 1_577_836_800
        let n = 20_000
        func line(_ i: Int) -> String { "\(t0 + 60 * i),\(i + 1000),\(i + 1001),\(i + 1000),\(Double(i) + 1000.5),\(i % 7)" }
        let ordered = "date,open,high,low,close,volume\n" + (0..<n).map(line).joined(separator: "\n") + "\n"
        var generator = SystemRandomNumberGenerator()
        let shuffled = "date,open,high,low,close,volume\n" + (0..<n).shuffled(using: &generator).map(line).joined(separator: "\n") + "\n"
        let dates = ISO8601DateFormatter()
        func iso(_ i: Int) -> String { dates.string(from: Date(timeIntervalSince1970: Double(t0 + 60 * i))) }
        for (name, text) in [("in-order", ordered), ("shuffled", shuffled)] {
            let id = try #require(try create(auth, name: name, text: text, symbol: "CHK")["id"] as? Int)
            let chunks = try fx.sql(
                "SELECT string_agg(bar_count || ':' || first_ts || ':' || last_ts || ':' || (ts = (SELECT array_agg(t ORDER BY t) FROM unnest(ts) t)), ' ' ORDER BY first_ts) FROM bar_chunks WHERE dataset_id = \(id)"
            )
            let expected = [(0, 8192), (8192, 16384), (16384, n)].map { "\($1 - $0):\(t0 + 60 * $0):\(t0 + 60 * ($1 - 1)):true" }
            #expect(chunks == expected.joined(separator: " "), "\(name): \(chunks)")
            // 8,000 ..< 8,500 crosses the first chunk's end.
            let range = "&start=\(iso(8000))&end=\(iso(8500))"
            let points = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?max_points=1000\(range)", headers: auth)
            #expect(points.status == 200 && points.json["source_rows"] as? Int == 500, "\(name): \(points.text.prefix(300))")
            #expect((points.json["close"] as? [Double]) == (8000..<8500).map { Double($0) + 1000.5 }, "\(name)")
            let buckets = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?max_points=10\(range)", headers: auth)
            #expect((buckets.json["close"] as? [Double]) == stride(from: 8049, to: 8500, by: 50).map { Double($0) + 1000.5 }, "\(name)")
            #expect((buckets.json["volume"] as? [Double])?.first == Double((8000..<8050).reduce(0) { $0 + $1 % 7 }), "\(name)")
            let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv\(range)", headers: auth)
            let lines = csv.text.split(separator: "\n")
            #expect(lines.count == 501 && lines.last?.hasSuffix(",9499,9500,9499,9499.5,\(8499 % 7)") == true, "\(name): \(lines.suffix(2))")
            let whole = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
            #expect(whole.text.split(separator: "\n").count == n + 1, "\(name)")
            #expect(try fx.sql("SELECT count(*) FROM bars WHERE dataset_id = \(id) AND ts >= \(t0 + 60 * 8000) AND ts < \(t0 + 60 * 8500)") == "500")
        }
    }

    @Test func patchAndDeleteHonourIfMatch() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let id = try #require(try create(auth, name: "editable")["id"] as? Int)
        let shown = try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: auth)
        #expect(shown.status == 200 && shown.header("etag") == "\"1\"")
        let changed = try fx.client.send(
            "PATCH", "/api/v1/data/datasets/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 },
            json: ["description": "weekly review", "tags": ["a", "b"]])
        #expect(changed.status == 200, "\(changed.text)")
        #expect(changed.header("etag") == "\"2\"")
        #expect(changed.json["description"] as? String == "weekly review" && changed.json["tags"] as? [String] == ["a", "b"])
        #expect(changed.json["name"] as? String == "editable")
        let stale = try fx.client.send(
            "PATCH", "/api/v1/data/datasets/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 },
            json: ["name": "renamed"])
        #expect(stale.status == 412)
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 }).status == 412)
        _ = try create(auth, name: "taken")
        #expect(try fx.client.send("PATCH", "/api/v1/data/datasets/\(id)", headers: auth, json: ["name": "TAKEN"]).status == 409)
        #expect(try fx.client.send("PATCH", "/api/v1/data/datasets/\(id)", headers: auth, json: ["name": ""]).status == 422)
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)", headers: auth.merging(["If-Match": "\"2\""]) { $1 }).status == 204)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: auth).status == 404)
        #expect(try fx.sql("SELECT count(*) FROM bars WHERE dataset_id = \(id)") == "0")
    }

    @Test func anotherUsersDatasetIsNotFoundOnEveryRoute() throws {
        let owner = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let other = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let id = try #require(try create(owner, name: "private")["id"] as? Int)
        let routes: [(String, String, Any?)] = [
            ("GET", "/api/v1/data/datasets/\(id)", nil), ("PATCH", "/api/v1/data/datasets/\(id)", ["name": "mine"]),
            ("DELETE", "/api/v1/data/datasets/\(id)", nil), ("GET", "/api/v1/data/datasets/\(id)/bars", nil),
            ("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", nil),
        ]
        for (method, path, body) in routes {
            let response = try fx.client.send(method, path, headers: other, json: body)
            #expect(response.status == 404, "\(method) \(path): \(response.status)")
        }
        let list = try fx.client.send("GET", "/api/v1/data/datasets", headers: other)
        #expect(list.json["total"] as? Int == 0)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: owner).status == 200)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/0", headers: owner).status == 404)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/abc", headers: owner).status == 404)
    }

    @Test func aDatasetThatRunsUseIsA409UnlessForced() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let id = try #require(try create(auth, name: "used")["id"] as? Int)
        // A run of the owner over this dataset, through the API (queued: no worker runs it).
        let strategy = try fx.client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: [
                "name": "uses-\(id)", "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "sma_crossover",
                "parameters": ["fast": 2, "slow": 5],
            ])
        let strategyID = try #require(strategy.json["id"] as? Int, "\(strategy.text)")
        let executed = try fx.client.send(
            "POST", "/api/v1/strategies/\(strategyID)/execute", headers: auth,
            json: ["dataset_id": id, "symbol": "SPY"])
        #expect(executed.status == 202, "\(executed.text)")
        let run = try #require(executed.json["id"] as? Int)
        let refused = try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)", headers: auth)
        #expect(refused.status == 409, "\(refused.text)")
        #expect(refused.header("content-type") == "application/problem+json")
        #expect(refused.text.contains("force=true"))
        let bad = try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)?force=yes", headers: auth)
        #expect(bad.status == 422 && (bad.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "force")
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: auth).status == 200)
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)?force=false", headers: auth).status == 409)
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)?force=true", headers: auth).status == 204)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: auth).status == 404)
        // The run stays, without its dataset.
        #expect(try fx.sql("SELECT coalesce(dataset_id::text, 'none') FROM runs WHERE id = \(run)") == "none")
        // A dataset no run uses is deleted without force.
        let free = try #require(try create(auth, name: "free")["id"] as? Int)
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(free)", headers: auth).status == 204)
    }

    @Test func adminsSeeEveryonesDatasets() throws {
        let owner = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let admin = try fx.login(try fx.createWithCLI(role: "admin")).bearer
        let name = "owned-\(UUID().uuidString.prefix(8))"
        let id = try #require(try create(owner, name: name)["id"] as? Int)
        let list = try fx.client.send("GET", "/api/v1/data/datasets?q=\(name)", headers: admin)
        #expect(list.status == 200)
        #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [id])
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: admin).status == 200)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: admin).status == 200)
        let renamed = try fx.client.send("PATCH", "/api/v1/data/datasets/\(id)", headers: admin, json: ["description": "checked by an admin"])
        #expect(renamed.status == 200, "\(renamed.text)")
        #expect(try fx.client.send("DELETE", "/api/v1/data/datasets/\(id)", headers: admin).status == 204)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)", headers: owner).status == 404)
    }
}
