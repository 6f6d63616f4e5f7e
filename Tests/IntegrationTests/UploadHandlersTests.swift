import Foundation
import TestSupport
import Testing

/// `POST /api/v1/data/upload` through nginx against the real pool and PostgreSQL.
@Suite(.serialized) struct UploadHandlersTests {
    let fx: AuthFixtures

    init() throws {
        fx = try AuthFixtures()
        try #require(fx.nginx).timeout = 120
    }

    func user(role: String = "user") throws -> [String: String] {
        try fx.login(try fx.createWithCLI(role: role)).bearer
    }

    func upload(_ auth: [String: String], query: String, body: [UInt8], contentType: String = "text/csv") throws -> TestResponse {
        try fx.client.send("POST", "/api/v1/data/upload?" + query, headers: auth.merging(["Content-Type": contentType]) { $1 }, body: body)
    }

    @Test func aWideDailyFileRoundTripsThroughMultipart() throws {
        let auth = try user()
        let (text, dates) = DataFixtures.wideDaily(count: 300)
        // Unsorted rows: reversed, header first.
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        let shuffled = ([header] + lines.reversed()).joined(separator: "\n") + "\n"
        let form = DataFixtures.multipart(
            fields: [("name", "Daily AAPL"), ("description", "round trip"), ("tags", "daily, us")],
            file: Array(shuffled.utf8), filename: "AAPL.csv")
        let response = try fx.client.send(
            "POST", "/api/v1/data/upload", headers: auth.merging(["Content-Type": form.contentType]) { $1 },
            body: form.body)
        #expect(response.status == 201, "\(response.text)")
        let id = try #require(response.json["id"] as? Int)
        #expect(response.header("location") == "/api/v1/data/datasets/\(id)")
        #expect(response.header("etag") == "\"1\"")
        #expect(response.json["layout"] as? String == "wide")
        #expect(response.json["tags"] as? [String] == ["daily", "us"])
        let summary = try #require(response.json["summary"] as? [String: Any])
        #expect(summary["row_count"] as? Int == 300)
        #expect(summary["interval"] as? String == "1d")
        #expect(summary["first"] as? String == dates.first! + "T00:00:00Z")
        #expect(summary["last"] as? String == dates.last! + "T00:00:00Z")
        let symbols = try #require(summary["symbols"] as? [[String: Any]])
        #expect(symbols.count == 1 && symbols[0]["symbol"] as? String == "AAPL" && symbols[0]["row_count"] as? Int == 300)
        let quality = try #require(response.json["quality"] as? [String: Any])
        #expect(quality["gap_count"] as? Int == 0, "weekdays only: no business day is missing")

        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(csv.status == 200)
        #expect(csv.header("content-type")?.hasPrefix("text/csv") == true)
        #expect(DataFixtures.parse(csv.text, symbol: "AAPL") == DataFixtures.parse(text, symbol: "AAPL"))
        #expect(csv.text.hasPrefix("date,open,high,low,close,volume\n"))
    }

    @Test func aLongTradeMasterFileKeepsItsSymbolsAndExtraColumns() throws {
        let auth = try user()
        let text = DataFixtures.longTradeMaster(symbols: ["AAPL", "MSFT", "JPM"], days: 20)
        let response = try upload(auth, query: "name=dj3-\(UUID().uuidString.prefix(8))", body: Array(text.utf8))
        #expect(response.status == 201, "\(response.text)")
        #expect(response.json["layout"] as? String == "long")
        let summary = try #require(response.json["summary"] as? [String: Any])
        #expect(summary["row_count"] as? Int == 60)
        let symbols = try #require(summary["symbols"] as? [[String: Any]])
        #expect(symbols.map { $0["symbol"] as? String } == ["AAPL", "JPM", "MSFT"])
        #expect(symbols.allSatisfy { $0["row_count"] as? Int == 20 && $0["first"] as? String == "2021-03-01T00:00:00Z" })
        let columns = try #require(summary["columns"] as? [[String: Any]])
        let zopen = try #require(columns.first { $0["name"] as? String == "zopen" })
        #expect(zopen["nulls"] as? Int == 3 && zopen["count"] as? Int == 57)
        let id = try #require(response.json["id"] as? Int)
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(csv.text.hasPrefix("date,tic,open,high,low,close,adjcp,zopen,volume\n"))
        #expect(DataFixtures.parse(csv.text) == DataFixtures.parse(text))
    }

    @Test func aGzippedBodyIsInflatedOnTheWay() throws {
        let auth = try user()
        let (text, _) = DataFixtures.wideDaily(count: 50, seed: 3)
        let path = NSTemporaryDirectory() + "tm-gz-\(UUID().uuidString).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
        #expect(try TestStack.run(["gzip", path]).status == 0)
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
        let response = try upload(auth, query: "name=gz-\(UUID().uuidString.prefix(8))&symbol=SPY", body: gz, contentType: "application/gzip")
        #expect(response.status == 201, "\(response.text)")
        #expect((response.json["summary"] as? [String: Any])?["row_count"] as? Int == 50)
        let corrupt = try upload(auth, query: "name=gz-bad", body: Array(gz.prefix(40)) + [1, 2, 3], contentType: "application/gzip")
        #expect(corrupt.status == 400, "\(corrupt.text)")
    }

    @Test func oneBadRowAmongAHundredThousandRefusesTheWholeFile() throws {
        let auth = try user()
        var lines = ["date,open,high,low,close,volume"]
        var t = 1_600_000_000
        for i in 0..<100_000 {
            lines.append(i == 73_210 ? "\(t),10,11,9,abc,5" : "\(t),10,11,9,10.5,5")
            t += 60
        }
        let name = "bad-\(UUID().uuidString.prefix(8))"
        let barsBefore = try DataFixtures.sql(fx.stack, "SELECT count(*) FROM bars")
        let response = try upload(auth, query: "name=\(name)", body: Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(response.status == 422, "\(response.text)")
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json["error_count"] as? Int == 1)
        let errors = try #require(response.json["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["line"] as? Int == 73_212)
        #expect(errors.first?["column"] as? String == "close")
        #expect(errors.first?["value"] as? String == "abc")
        #expect(errors.first?["reason"] as? String == "not a number")
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name = '\(name)'") == "0")
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM bars") == barsBefore)
        // The staging table lived in the rolled-back transaction only.
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM pg_class WHERE relname = 'upload_stage'") == "0")
    }

    @Test func everyKindOfBadValueIsReportedWithItsLineAndColumn() throws {
        let auth = try user()
        let text = """
            date,open,high,low,close,volume
            2024-01-02,10,11,9,10,100
            2024-13-01,10,11,9,10,100
            2024-01-04,-1,11,9,10,100
            2024-01-05,10,9.5,9,10,100
            2024-01-08,10,11,10.5,10.2,100
            2024-01-09,10,11,9,10,-5
            2024-01-10,10,11,9,,100
            2024-01-11,10,11,9
            2024-01-02,10,11,9,10,100

            """
        let response = try upload(auth, query: "name=kinds", body: Array(text.utf8))
        #expect(response.status == 422, "\(response.text)")
        let errors = try #require(response.json["errors"] as? [[String: Any]])
        let got = errors.map { "\($0["line"] as? Int ?? 0):\($0["column"] as? String ?? "")" }
        // Line 10 repeats line 2's date: duplicates are listed with the rest, in line order.
        #expect(got == ["3:date", "4:open", "5:high", "6:low", "7:volume", "8:close", "9:*", "10:date"], "\(errors)")
        #expect(response.json["error_count"] as? Int == 8)
        // Duplicates are found once the rows are otherwise valid.
        let duplicates = "date,open,high,low,close\n2024-01-02,10,11,9,10\n2024-01-03,10,11,9,10\n2024-01-02,10,12,9,11\n"
        let refused = try upload(auth, query: "name=dups-\(UUID().uuidString.prefix(6))", body: Array(duplicates.utf8))
        #expect(refused.status == 422)
        let duplicate = try #require((refused.json["errors"] as? [[String: Any]])?.first)
        #expect(duplicate["line"] as? Int == 4 && (duplicate["reason"] as? String)?.hasPrefix("duplicate timestamp") == true, "\(duplicate)")
        let far = try upload(auth, query: "name=far", body: Array("date,open,high,low,close\n99999999999999,1,1,1,1\n".utf8))
        #expect(
            far.status == 422 && (far.json["errors"] as? [[String: Any]])?.first?["reason"] as? String == "outside the years 0001 to 9999",
            "\(far.text)")
        let kept = try upload(auth, query: "name=dups-\(UUID().uuidString.prefix(6))&dedupe=last", body: Array(duplicates.utf8))
        #expect(kept.status == 201, "\(kept.text)")
        let id = try #require(kept.json["id"] as? Int)
        let bars = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars", headers: auth)
        #expect(bars.json["close"] as? [Double] == [11, 10])
    }

    @Test func theQualityReportFindsGapsJumpsAndZeroVolume() throws {
        let auth = try user()
        // Daily: Thu 2024-01-04, Fri 01-05, (weekend), Mon 01-08, Wed 01-10 (Tue missing), Mon 01-15 (Thu, Fri missing).
        let daily = """
            date,open,high,low,close,volume
            2024-01-04,10,10,10,10,5
            2024-01-05,10,12,10,12,0
            2024-01-08,12,12,12,12,5
            2024-01-10,12,12,6,6,5
            2024-01-15,6,6,6,6,0

            """
        let response = try upload(auth, query: "name=quality-\(UUID().uuidString.prefix(6))", body: Array(daily.utf8))
        #expect(response.status == 201, "\(response.text)")
        let quality = try #require(response.json["quality"] as? [String: Any])
        #expect(quality["gap_count"] as? Int == 2)
        let gaps = try #require(quality["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["missing_bars"] as? Int } == [2, 1], "largest first: \(gaps)")
        #expect(gaps.first?["from"] as? String == "2024-01-10T00:00:00Z" && gaps.first?["to"] as? String == "2024-01-15T00:00:00Z")
        let jump = try #require(quality["largest_abs_return"] as? [String: Any])
        #expect(jump["date"] as? String == "2024-01-10T00:00:00Z" && jump["value"] as? Double == -0.5)
        #expect(quality["zero_volume_bars"] as? Int == 2)
        #expect((response.json["summary"] as? [String: Any])?["interval"] as? String == "1d")

        // Intraday: minutes 09:30-09:33, then 09:36 (two missing), next day 09:30 (the night is no gap).
        let intraday = """
            date,open,high,low,close,volume
            2024-01-04 09:30:00,10,10,10,10,1
            2024-01-04 09:31:00,10,10,10,10,1
            2024-01-04 09:32:00,10,10,10,10,1
            2024-01-04 09:33:00,10,10,10,10,1
            2024-01-04 09:36:00,10,10,10,10,1
            2024-01-05 09:30:00,10,10,10,10,1
            2024-01-05 09:31:00,10,10,10,10,1

            """
        let minutes = try upload(auth, query: "name=minutes-\(UUID().uuidString.prefix(6))", body: Array(intraday.utf8))
        #expect((minutes.json["summary"] as? [String: Any])?["interval"] as? String == "1min")
        let report = try #require(minutes.json["quality"] as? [String: Any])
        #expect(report["gap_count"] as? Int == 1)
        #expect((report["gaps"] as? [[String: Any]])?.first?["missing_bars"] as? Int == 2)
    }

    @Test func badRequestsAreClearProblems() throws {
        let auth = try user()
        let csv = Array("date,open,high,low,close\n2024-01-02,10,11,9,10\n".utf8)
        #expect(try upload(auth, query: "name=x", body: csv, contentType: "application/json").status == 415)
        let unnamed = try upload(auth, query: "", body: csv)
        #expect(unnamed.status == 422 && (unnamed.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "name", "\(unnamed.text)")
        #expect(try upload(auth, query: "name=x&dedupe=middle", body: csv).status == 422)
        #expect(try upload(auth, query: "name=x&timezone=Mars/Olympus", body: csv).status == 422)
        let noClose = try upload(auth, query: "name=x", body: Array("date,open,high,low\n2024-01-02,1,1,1\n".utf8))
        #expect(noClose.status == 422 && noClose.text.contains("no close column"), "\(noClose.text)")
        #expect(try upload(auth, query: "name=x", body: []).status == 422)
        #expect(try upload(auth, query: "name=x", body: Array("date,open,high,low,close\n".utf8)).status == 422)
        // Multipart without a boundary, without the closing delimiter, without a file.
        #expect(try upload(auth, query: "", body: csv, contentType: "multipart/form-data").status == 400)
        var form = DataFixtures.multipart(fields: [("name", "cut")], file: csv)
        #expect(try upload(auth, query: "", body: Array(form.body.dropLast(30)), contentType: form.contentType).status == 400)
        form = DataFixtures.multipart(fields: [("name", "nofile")], file: nil)
        #expect(try upload(auth, query: "", body: form.body, contentType: form.contentType).status == 422)
        // Viewers read but cannot create.
        let viewer = try user(role: "viewer")
        #expect(try upload(viewer, query: "name=x", body: csv).status == 403)
        #expect(try fx.client.send("POST", "/api/v1/data/upload?name=x", headers: ["Content-Type": "text/csv"], body: csv).status == 401)
    }

    @Test func aBodyOverTheNginxLimitIs413() throws {
        let auth = try user()
        var head = "POST /api/v1/data/upload?name=big HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
        head += "Authorization: \(auth["Authorization"]!)\r\nContent-Length: \(257 << 20)\r\nConnection: close\r\n\r\n"
        let response = try #require(fx.nginx).sendRaw(Array(head.utf8), method: "POST")
        #expect(response.status == 413)
        #expect(response.header("content-type") == "application/problem+json")
    }

    @Test func concurrentUploadsOfOneNameGiveOneDatasetAndConflicts() throws {
        let auth = try user()
        let name = "race-\(UUID().uuidString.prefix(8))"
        let body = Array(DataFixtures.wideDaily(count: 2000).text.utf8)
        let stack = fx.stack
        let statuses = ResultList()
        let threads = (0..<4).map { _ in
            Thread {
                let client = stack.client()
                client.timeout = 60
                let status =
                    (try? client.send(
                        "POST", "/api/v1/data/upload?name=\(name)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
                        body: body
                    ).status) ?? -1
                statuses.append(status)
            }
        }
        threads.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(60)
        while statuses.count < 4 && Date() < deadline { usleep(20_000) }
        #expect(statuses.values.sorted() == [201, 409, 409, 409], "\(statuses.values)")
        // Names are unique regardless of case.
        let upper = try upload(auth, query: "name=\(name.uppercased())", body: body)
        #expect(upper.status == 409)
    }

    @Test func theRowLimitIs413AndTheQuotaIs507() throws {
        let pool = try PrivatePool(
            stack: fx.stack, workers: 1, threads: 2,
            environment: ["TM_MAX_DATASET_ROWS": "100", "TM_USER_QUOTA_BYTES": "6000"])
        defer { pool.stop() }
        let client = pool.client()
        let auth = try user()
        func send(_ name: String, _ text: String) throws -> TestResponse {
            try client.send(
                "POST", "/api/v1/data/upload?name=\(name)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
                body: Array(text.utf8))
        }
        let tooMany = try send("rows", DataFixtures.wideDaily(count: 101).text)
        #expect(tooMany.status == 413, "\(tooMany.text)")
        let first = try send("first", DataFixtures.wideDaily(count: 60).text)  // about 3.4 kB
        #expect(first.status == 201, "\(first.text)")
        let second = try send("second", DataFixtures.wideDaily(count: 60).text)
        #expect(second.status == 507, "\(second.text)")
        #expect(second.header("content-type") == "application/problem+json")
        #expect(
            try DataFixtures.sql(
                fx.stack,
                "SELECT count(*) FROM datasets d JOIN users u ON u.id = d.owner_id WHERE d.name IN ('rows', 'second') AND u.id = (SELECT owner_id FROM datasets WHERE id = \(first.json["id"] as? Int ?? 0))"
            ) == "0")
    }

    /// Uploads that start together each see room in the quota; the quota is counted again
    /// under the owner's lock when each one ends, so together they never pass it.
    @Test func parallelUploadsNeverPassTheQuota() throws {
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 4, environment: ["TM_USER_QUOTA_BYTES": "6000"])
        defer { pool.stop() }
        let auth = try user()
        let body = Array(DataFixtures.wideDaily(count: 60).text.utf8)  // about 3.4 kB: one fits, two do not
        let statuses = ResultList()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let response = try? TestHTTPClient(port: pool.port).send(
                "POST", "/api/v1/data/upload?name=quota-\(index)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: body)
            statuses.append(response?.status ?? 0)
        }
        #expect(statuses.values.sorted() == [201, 507, 507, 507], "\(statuses.values)")
        let used = try pool.client().send("GET", "/api/v1/data/datasets", headers: auth).json["total"] as? Int
        #expect(used == 1)
    }

    /// Every byte an upload reads counts against its owner's budget of the window, refused
    /// uploads included: once spent, uploads are 429 with `Retry-After` until the window ends;
    /// another user's budget is their own.
    @Test func refusedUploadsSpendTheUploadBudget() throws {
        let good = DataFixtures.wideDaily(count: 60).text  // about 3.2 kB
        let bad = good + "2030-01-01,1,2,0.5,abc,100\n"
        // Room for two and a half files.
        let budget = good.utf8.count * 5 / 2
        let pool = try PrivatePool(
            stack: fx.stack, workers: 1, threads: 2, environment: ["TM_UPLOAD_BUDGET_BYTES": "\(budget)", "TM_UPLOAD_BUDGET_SECONDS": "600"])
        defer { pool.stop() }
        let client = pool.client()
        let auth = try user()
        func send(_ name: String, _ text: String, as auth: [String: String]) throws -> TestResponse {
            try client.send(
                "POST", "/api/v1/data/upload?name=\(name)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        }
        #expect(try send("bad-1", bad, as: auth).status == 422)
        #expect(try send("bad-2", bad, as: auth).status == 422)
        // Two files refused; this one's bytes pass the budget.
        let third = try send("good", good, as: auth)
        #expect(third.status == 429, "\(third.text)")
        let wait = Int(third.header("retry-after") ?? "") ?? 0
        #expect(wait >= 1 && wait <= 600, "Retry-After \(wait)")
        #expect((third.json["detail"] as? String)?.contains("\(budget) bytes per 600 seconds") == true, "\(third.text)")
        #expect(try send("good-again", good, as: auth).status == 429)
        #expect(try client.send("GET", "/api/v1/data/datasets", headers: auth).json["total"] as? Int == 0)
        let other = try user()
        #expect(try send("good", good, as: other).status == 201)
    }

    /// Parallel uploads of one user share one count: of eight uploads against a budget of two
    /// and a half, two are stored and six refused.
    @Test func parallelUploadsNeverPassTheUploadBudget() throws {
        let body = Array(DataFixtures.wideDaily(count: 60).text.utf8)
        let pool = try PrivatePool(
            stack: fx.stack, workers: 1, threads: 4,
            environment: ["TM_UPLOAD_BUDGET_BYTES": "\(body.count * 5 / 2)", "TM_UPLOAD_BUDGET_SECONDS": "600"])
        defer { pool.stop() }
        let auth = try user()
        let statuses = ResultList()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let response = try? TestHTTPClient(port: pool.port).send(
                "POST", "/api/v1/data/upload?name=budget-\(index)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: body)
            statuses.append(response?.status ?? 0)
        }
        #expect(statuses.values.sorted() == [201, 201, 429, 429, 429, 429, 429, 429], "\(statuses.values)")
        #expect(try pool.client().send("GET", "/api/v1/data/datasets", headers: auth).json["total"] as? Int == 2)
    }

    @Test func aHundredMegabyteUploadKeepsTheWorkerSmallAndACutOffUploadLeavesNothing() throws {
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 2)
        defer { pool.stop() }
        let worker = try #require(pool.workerPIDs().first)
        let client = pool.client()
        client.timeout = 300
        let auth = try user()
        _ = try client.send("GET", "/health")
        var text = "date,open,high,low,close,volume\n"
        text.reserveCapacity(105 << 20)
        var t = 946_684_800
        while text.utf8.count < 100 << 20 {
            text += "\(t),100.125,101.5,99.75,100.5,12345\n"
            t += 60
        }
        let rows = text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } - 1
        // The worker's start-up set a peak above what an upload adds: measure from its RSS now.
        let before = try ProcessTable.resetPeakMemory(worker)
        let started = Date()
        let response = try client.send(
            "POST", "/api/v1/data/upload?name=big-\(UUID().uuidString.prefix(8))&symbol=BIG",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        #expect(response.status == 201, "\(response.text.prefix(500))")
        #expect((response.json["summary"] as? [String: Any])?["row_count"] as? Int == rows)
        #expect(pool.workerPIDs() == [worker], "the measured worker is the one that served the upload")
        let after = try #require(ProcessTable.memoryKilobytes(worker, field: "VmHWM"))
        #expect(after - before <= 64 * 1024, "peak RSS grew from \(before) to \(after) KiB")
        print("upload of \(text.utf8.count) bytes, \(rows) rows: \(Date().timeIntervalSince(started)) s, worker peak RSS +\(after - before) KiB")
        if let id = response.json["id"] as? Int {
            #expect(try client.send("DELETE", "/api/v1/data/datasets/\(id)", headers: auth).status == 204)
        }

        // A body cut off mid-way: nginx never hands it to the pool, and nothing is stored.
        let name = "cut-\(UUID().uuidString.prefix(8))"
        var head = "POST /api/v1/data/upload?name=\(name) HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
        head += "Authorization: \(auth["Authorization"]!)\r\nContent-Length: 100000\r\n\r\ndate,open,high,low,close\n2024-01-02,1,1,1,1\n"
        _ = try? client.sendRaw(Array(head.utf8), method: "POST")
        usleep(500_000)
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name = '\(name)'") == "0")
    }

    @Test func aFileThatLeavesTimeOrderMidwayIsStoredSortedAndItsLateDuplicatesAreNamed() throws {
        let auth = try user()
        let (text, dates) = DataFixtures.wideDaily(count: 50, seed: 4)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        // The first 30 rows in order (straight into bars), the rest reversed (staged).
        let reordered = ([header] + lines[0..<30] + lines[30...].reversed()).joined(separator: "\n") + "\n"
        let name = "midway-\(UUID().uuidString.prefix(6))"
        let response = try upload(auth, query: "name=\(name)&symbol=XYZ", body: Array(reordered.utf8))
        #expect(response.status == 201, "\(response.text)")
        let summary = try #require(response.json["summary"] as? [String: Any])
        #expect(summary["row_count"] as? Int == 50)
        #expect(summary["first"] as? String == dates[0] + "T00:00:00Z" && summary["last"] as? String == dates[49] + "T00:00:00Z")
        #expect(summary["interval"] as? String == "1d")
        let id = try #require(response.json["id"] as? Int)
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(DataFixtures.parse(csv.text, symbol: "XYZ") == DataFixtures.parse(text, symbol: "XYZ"))

        // A repeat of the fifth row at the end (line 52) duplicates a row already in bars.
        let repeated = ([header] + lines + [lines[4]]).joined(separator: "\n") + "\n"
        let refused = try upload(auth, query: "name=\(name)-dup&symbol=XYZ", body: Array(repeated.utf8))
        #expect(refused.status == 422, "\(refused.text)")
        let first = try #require((refused.json["errors"] as? [[String: Any]])?.first)
        #expect(first["line"] as? Int == 52 && first["column"] as? String == "date")
        #expect((first["reason"] as? String)?.contains("duplicate") == true)
        #expect(refused.json["error_count"] as? Int == 1)
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name = '\(name)-dup'") == "0")
    }

    @Test func theSummaryOfRowsInOrderEqualsTheSQLAnalysisOfShuffledRows() throws {
        let auth = try user()
        let ordered = DataFixtures.longTradeMaster(symbols: ["AAA", "BBB", "CCC"], days: 25, shuffled: false)
        let shuffled = DataFixtures.longTradeMaster(symbols: ["AAA", "BBB", "CCC"], days: 25, shuffled: true)
        let tag = UUID().uuidString.prefix(6)
        let fast = try upload(auth, query: "name=ordered-\(tag)", body: Array(ordered.utf8))
        let sql = try upload(auth, query: "name=shuffled-\(tag)", body: Array(shuffled.utf8))
        #expect(fast.status == 201 && sql.status == 201, "\(fast.text) \(sql.text)")
        let a = try #require(fast.json["summary"] as? [String: Any])
        let b = try #require(sql.json["summary"] as? [String: Any])
        for key in ["row_count", "first", "last", "interval", "interval_seconds", "dates_only"] {
            #expect("\(a[key] ?? "-")" == "\(b[key] ?? "-")", "\(key)")
        }
        func canonical(_ value: Any?) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        #expect(try canonical(a["symbols"]) == (try canonical(b["symbols"])))
        let ca = try #require(a["columns"] as? [[String: Any]])
        let cb = try #require(b["columns"] as? [[String: Any]])
        #expect(ca.map { $0["name"] as? String } == cb.map { $0["name"] as? String })
        for (x, y) in zip(ca, cb) {
            for key in ["count", "nulls", "min", "max"] { #expect("\(x[key] ?? "-")" == "\(y[key] ?? "-")", "\(x["name"] ?? "") \(key)") }
            for key in ["mean", "std"] {
                let u = x[key] as? Double ?? .nan
                let v = y[key] as? Double ?? .nan
                #expect(abs(u - v) <= 1e-9 * max(1, abs(v)), "\(x["name"] ?? "") \(key): \(u) vs \(v)")
            }
        }
        let qa = try #require(fast.json["quality"] as? [String: Any])
        let qb = try #require(sql.json["quality"] as? [String: Any])
        #expect(try canonical(qa) == (try canonical(qb)))
    }

    /// `series → value` of a Prometheus exposition.
    static func metricValues(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    @Test func uploadsAreCountedByOutcomeWithTheRowsLoaded() throws {
        let pool = try PrivatePool(stack: fx.stack, workers: 2, threads: 2, environment: ["TM_METRICS": "true"])
        defer { pool.stop() }
        let client = pool.client()
        let auth = try user()
        func send(_ name: String, _ text: String) throws -> TestResponse {
            try client.send(
                "POST", "/api/v1/data/upload?name=\(name)", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
                body: Array(text.utf8))
        }
        let stored = #"tm_dataset_uploads_total{outcome="stored"}"#
        let invalid = #"tm_dataset_uploads_total{outcome="invalid"}"#
        let conflict = #"tm_dataset_uploads_total{outcome="conflict"}"#
        let rows = "tm_dataset_rows_loaded_total"
        let before = Self.metricValues(try client.send("GET", "/metrics").text)
        #expect(try send("counted-a", DataFixtures.wideDaily(count: 40).text).status == 201)
        #expect(try send("counted-b", DataFixtures.wideDaily(count: 25).text).status == 201)
        #expect(try send("counted-b", DataFixtures.wideDaily(count: 25).text).status == 409)
        #expect(try send("counted-c", "date,open,high,low,close\n2024-01-02,1,1,1,x\n").status == 422)
        let after = Self.metricValues(try client.send("GET", "/metrics").text)
        #expect((after[stored] ?? 0) - (before[stored] ?? 0) == 2)
        #expect((after[conflict] ?? 0) - (before[conflict] ?? 0) == 1)
        #expect((after[invalid] ?? 0) - (before[invalid] ?? 0) == 1)
        #expect((after[rows] ?? 0) - (before[rows] ?? 0) == 65)
    }
}

/// Statuses collected from threads.
final class ResultList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ value: Int) {
        lock.lock()
        items.append(value)
        lock.unlock()
    }
    var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
    var count: Int { values.count }
}
