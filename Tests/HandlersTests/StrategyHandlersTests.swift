import Foundation
import TestSupport
import Testing

/// `/api/v1/strategies` in-process: CRUD, validation against the Quant registry and the
/// TradeMaster catalogue, ETags, ownership, roles and concurrent creates.
@Suite(.inProcess("strategies")) struct StrategyHandlersTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    @Test func createShowListUpdateCloneAndDelete() throws {
        let (_, auth) = try sx.account()
        let created = try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: [
                "name": "  SMA fast  ", "description": "10/30", "strategy_type": "algorithmic_trading", "engine": "builtin",
                "kind": "sma_crossover", "parameters": ["fast": 10], "trading": ["commission": 0.001], "tags": ["trend", "daily", "trend"],
                "category": "trend following",
            ])
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? Int)
        #expect(created.header("location") == "/api/v1/strategies/\(id)")
        #expect(created.header("etag") == "\"1\"")
        #expect(created.json["name"] as? String == "SMA fast" && created.json["status"] as? String == "draft")
        // Defaults fill in what was left out.
        #expect(created.json["parameters"] as? [String: Double] == ["fast": 10, "slow": 30])
        let trading = try #require(created.json["trading"] as? [String: Any])
        #expect(
            trading["commission"] as? Double == 0.001 && trading["initial_capital"] as? Double == 100_000 && trading["allow_short"] as? Bool == false)
        #expect(created.json["tags"] as? [String] == ["trend", "daily"])
        #expect(created.json["performance"] == nil && created.json["last_run_at"] == nil && created.json["version"] as? Int == 1)

        let shown = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth)
        #expect(shown.status == 200 && shown.header("etag") == "\"1\"" && shown.json["kind"] as? String == "sma_crossover")

        // PATCH with the current ETag; then the old one is stale (412) and changes nothing.
        let patched = try sx.client.send(
            "PATCH", "/api/v1/strategies/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 },
            json: ["parameters": ["fast": 5, "slow": 20], "status": "paused"])
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched.header("etag") == "\"2\"" && patched.json["status"] as? String == "paused")
        #expect(patched.json["parameters"] as? [String: Double] == ["fast": 5, "slow": 20])
        let stale = try sx.client.send(
            "PATCH", "/api/v1/strategies/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 },
            json: ["description": "lost"])
        #expect(stale.status == 412 && stale.header("etag") == "\"2\"")
        #expect(stale.header("content-type") == "application/problem+json")
        let stalePut = try sx.client.send(
            "PUT", "/api/v1/strategies/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 },
            json: ["name": "x", "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "momentum"])
        #expect(stalePut.status == 412)
        let staleDelete = try sx.client.send("DELETE", "/api/v1/strategies/\(id)", headers: auth.merging(["If-Match": "\"1\""]) { $1 })
        #expect(staleDelete.status == 412)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["description"] as? String == "10/30")

        // PUT replaces: what is left out goes back to its default.
        let put = try sx.client.send(
            "PUT", "/api/v1/strategies/\(id)", headers: auth,
            json: [
                "name": "Momentum", "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "momentum",
            ])
        #expect(put.status == 200, "\(put.text)")
        #expect(put.json["parameters"] as? [String: Double] == ["lookback": 20, "threshold": 0])
        #expect(put.json["description"] as? String == "" && put.json["tags"] as? [String] == [] && put.json["version"] as? Int == 3)
        #expect(put.json["status"] as? String == "paused")

        let clone = try sx.client.send("POST", "/api/v1/strategies/\(id)/clone", headers: auth, json: ["name": "Momentum copy"])
        #expect(clone.status == 201, "\(clone.text)")
        let cloneID = try #require(clone.json["id"] as? Int)
        #expect(cloneID != id && clone.json["kind"] as? String == "momentum" && clone.json["status"] as? String == "draft")
        #expect(try sx.client.send("POST", "/api/v1/strategies/\(id)/clone", headers: auth, json: ["name": "MOMENTUM"]).status == 409)
        #expect(try sx.client.send("POST", "/api/v1/strategies/\(id)/clone", headers: auth, json: ["name": " "]).status == 422)

        let list = try sx.client.send("GET", "/api/v1/strategies?sort=name", headers: auth)
        #expect(list.status == 200 && list.json["total"] as? Int == 2)
        #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Momentum", "Momentum copy"])

        #expect(try sx.client.send("DELETE", "/api/v1/strategies/\(cloneID)", headers: auth.merging(["If-Match": "\"1\""]) { $1 }).status == 204)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(cloneID)", headers: auth).status == 404)
        #expect(try sx.client.send("DELETE", "/api/v1/strategies/\(cloneID)", headers: auth).status == 404)
    }

    @Test func filtersSortAndPaging() throws {
        let (_, auth) = try sx.account()
        try sx.createStrategy(auth, name: "beta trend", extra: ["tags": ["trend"], "description": "slow"])
        try sx.createStrategy(auth, name: "Alpha", kind: "rsi_reversion", parameters: [:], extra: ["status": "paused"])
        try sx.createStrategy(auth, name: "gamma", kind: "bollinger_reversion", parameters: ["k": 1.5], extra: ["tags": ["mean", "trend"]])
        let tm = try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: [
                "name": "deep", "strategy_type": "portfolio_management", "engine": "trademaster",
                "config": [
                    "task_name": "portfolio_management", "dataset_name": "dj30", "agent_name": "eiie", "optimizer_name": "adam", "loss_name": "mse",
                ],
            ])
        #expect(tm.status == 201, "\(tm.text)")
        let config = try #require(tm.json["config"] as? [String: Any])
        #expect(config["dataset_name"] as? String == "portfolio_management:dj30" && config["agent_name"] as? String == "portfolio_management:eiie")
        #expect(tm.json["kind"] == nil && tm.json["parameters"] as? [String: Double] == [:])

        func names(_ query: String) throws -> [String] {
            let response = try sx.client.send("GET", "/api/v1/strategies?" + query, headers: auth)
            #expect(response.status == 200, "\(query): \(response.text)")
            return (response.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        }
        #expect(try names("sort=name") == ["Alpha", "beta trend", "deep", "gamma"])
        // The list's items (encoded by PostgreSQL) are exactly what GET shows (encoded here).
        let items = try #require(try sx.client.send("GET", "/api/v1/strategies", headers: auth).json["items"] as? [[String: Any]])
        for item in items {
            let shown = try sx.client.send("GET", "/api/v1/strategies/\(item["id"] as? Int ?? 0)", headers: auth).json
            #expect(NSDictionary(dictionary: item) == NSDictionary(dictionary: shown), "\(item) vs \(shown)")
        }
        #expect(try names("sort=-name") == ["gamma", "deep", "beta trend", "Alpha"])
        #expect(try names("") == ["deep", "gamma", "Alpha", "beta trend"])
        #expect(try names("sort=created_at") == ["beta trend", "Alpha", "gamma", "deep"])
        #expect(try names("tag=trend&sort=name") == ["beta trend", "gamma"])
        #expect(try names("status=paused") == ["Alpha"])
        #expect(try names("engine=trademaster") == ["deep"])
        #expect(try names("strategy_type=algorithmic_trading&sort=name") == ["Alpha", "beta trend", "gamma"])
        #expect(try names("q=SLOW") == ["beta trend"])
        // A change shows in the next list at once (kept pages are only reused while unchanged).
        for _ in 0..<4 { #expect(try names("tag=trend&sort=name") == ["beta trend", "gamma"]) }
        let gammaID = try #require(items.first { $0["name"] as? String == "gamma" }?["id"] as? Int)
        #expect(try sx.client.send("PATCH", "/api/v1/strategies/\(gammaID)", headers: auth, json: ["tags": ["mean"]]).status == 200)
        for _ in 0..<4 { #expect(try names("tag=trend&sort=name") == ["beta trend"]) }
        #expect(try sx.client.send("PATCH", "/api/v1/strategies/\(gammaID)", headers: auth, json: ["tags": ["mean", "trend"]]).status == 200)
        #expect(try names("q=a_b") == [])
        let page = try sx.client.send("GET", "/api/v1/strategies?sort=name&limit=2&offset=1", headers: auth)
        #expect((page.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["beta trend", "deep"])
        #expect(page.json["total"] as? Int == 4 && page.json["limit"] as? Int == 2 && page.json["offset"] as? Int == 1)
        #expect(try names("sort=-updated_at&page=2&page_size=3") == ["beta trend"])

        let bad = try sx.client.send("GET", "/api/v1/strategies?status=done&sort=size&engine=x&strategy_type=y&limit=0", headers: auth)
        #expect(bad.status == 422)
        #expect(Set(StrategyFixtures.pointers(bad)) == ["status", "sort", "engine", "strategy_type", "limit"])
    }

    @Test func invalidDefinitionsNameTheField() throws {
        let (_, auth) = try sx.account()
        func create(_ changes: [String: Any]) throws -> TestResponse {
            var body: [String: Any] = [
                "name": AuthFixtures.uniqueName("v"), "strategy_type": "algorithmic_trading", "engine": "builtin",
                "kind": "sma_crossover",
            ]
            body.merge(changes) { $1 }
            return try sx.client.send("POST", "/api/v1/strategies", headers: auth, json: body)
        }
        func expect422(_ changes: [String: Any], _ pointer: String, _ words: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws
        {
            let response = try create(changes)
            #expect(response.status == 422, "\(changes): \(response.text)", sourceLocation: sourceLocation)
            #expect(response.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
            #expect(StrategyFixtures.pointers(response).contains(pointer), "\(changes): \(response.text)", sourceLocation: sourceLocation)
            if let words { #expect(response.text.contains(words), "\(response.text)", sourceLocation: sourceLocation) }
        }
        try expect422(["kind": "sma_crossoverx"], "/kind", "unknown kind")
        try expect422(["parameters": ["fast": 10, "speed": 3]], "/parameters/speed", "no parameter")
        try expect422(["parameters": ["fast": "ten"]], "/parameters/fast", "must be a number")
        try expect422(["parameters": ["fast": 10.5]], "/parameters/fast", "integer")
        try expect422(["parameters": ["fast": 1]], "/parameters/fast", "2...500")
        try expect422(["parameters": ["fast": 30, "slow": 30]], "/parameters/fast", "must be less than slow")
        try expect422(["parameters": ["fast": 40]], "/parameters/fast", "must be less than slow")
        try expect422(["kind": "rsi_reversion", "parameters": ["lower": 80]], "/parameters/lower")
        try expect422(["kind": NSNull()], "/kind", "is required")
        try expect422(["strategy_type": "arbitrage"], "/strategy_type")
        try expect422(["engine": "quantum"], "/engine")
        try expect422(["name": ""], "/name")
        try expect422(["name": String(repeating: "n", count: 201)], "/name")
        try expect422(["description": String(repeating: "d", count: 2001)], "/description")
        try expect422(["tags": ["ok", "bad\u{7}"]], "/tags/1")
        try expect422(["tags": (0..<21).map { "t\($0)" }], "/tags")
        try expect422(["category": String(repeating: "c", count: 101)], "/category")
        try expect422(["status": "active"], "/status", "follow the runs")
        try expect422(["trading": ["commission": 1.5]], "/trading/commission")
        try expect422(["trading": ["initial_capital": -5]], "/trading/initial_capital")
        try expect422(["trading": ["slippage_bps": 10_000]], "/trading/slippage_bps")
        try expect422(
            [
                "config": [
                    "task_name": "algorithmic_trading", "dataset_name": "BTC", "agent_name": "deepscalper",
                    "optimizer_name": "adam", "loss_name": "mse",
                ]
            ], "/config", "only for engine trademaster")
        let tm: [String: Any] = ["engine": "trademaster", "kind": NSNull()]
        try expect422(tm, "/config", "is required")
        func config(_ changes: [String: String]) -> [String: Any] {
            var config = [
                "task_name": "algorithmic_trading", "dataset_name": "BTC", "agent_name": "deepscalper",
                "optimizer_name": "adam", "loss_name": "mse",
            ]
            config.merge(changes) { $1 }
            return tm.merging(["config": config]) { $1 }
        }
        try expect422(config(["agent_name": "eiie"]), "/config/agent_name", "deepscalper")
        try expect422(config(["dataset_name": "dj30"]), "/config/dataset_name")
        try expect422(config(["dataset_name": "portfolio_management:dj30"]), "/config/dataset_name")
        try expect422(config(["task_name": "portfolio_management"]), "/config/task_name", "must match strategy_type")
        try expect422(config(["optimizer_name": "sgd"]), "/config/optimizer_name")
        try expect422(config(["loss_name": "mae"]), "/config/loss_name")
        try expect422(tm.merging(["config": ["task_name": "algorithmic_trading"]]) { $1 }, "/config/dataset_name", "is required")
        try expect422(config([:]).merging(["parameters": ["fast": 3]]) { $1 }, "/parameters")
        #expect(try create(config(["dataset_name": "algorithmic_trading:FX"])).status == 201)

        let malformed = try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
            body: Array("{\"name\":".utf8))
        #expect(malformed.status == 400)
        let text = try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth.merging(["Content-Type": "text/plain"]) { $1 },
            body: Array("{}".utf8))
        #expect(text.status == 415)

        // One PATCH that breaks the slow/fast relation against the stored fast.
        let strategy = try sx.createStrategy(auth, parameters: ["fast": 20, "slow": 50])
        let id = try #require(strategy["id"] as? Int)
        let patch = try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["parameters": ["fast": 20, "slow": 15]])
        #expect(patch.status == 422 && StrategyFixtures.pointers(patch) == ["/parameters/fast"])
    }

    @Test func kindsListEveryParameter() throws {
        let (_, auth) = try sx.account("viewer")
        let response = try sx.client.send("GET", "/api/v1/strategies/kinds", headers: auth)
        #expect(response.status == 200)
        let kinds = try #require(response.json["items"] as? [[String: Any]])
        let single = ["buy_and_hold", "sma_crossover", "ema_crossover", "bollinger_reversion", "rsi_reversion", "momentum"]
        // The single-symbol kinds, then the portfolio kinds (PortfolioRunHandlersTests checks those).
        #expect(kinds.compactMap { $0["name"] as? String } == single + ["equal_weight", "inverse_volatility"] + single.map { "portfolio_" + $0 })
        let sma = try #require(kinds.first { $0["name"] as? String == "sma_crossover" })
        let fast = try #require((sma["parameters"] as? [[String: Any]])?.first)
        #expect(fast["name"] as? String == "fast" && fast["type"] as? String == "integer" && fast["default"] as? Double == 10)
        #expect(fast["minimum"] as? Double == 2 && fast["maximum"] as? Double == 500 && (fast["description"] as? String)?.isEmpty == false)
        #expect(sma["constraints"] as? [String] == ["fast < slow"] && sma["supports_short"] as? Bool == true)
        let bollinger = try #require(kinds.first { $0["name"] as? String == "bollinger_reversion" })
        #expect((bollinger["parameters"] as? [[String: Any]])?.last?["type"] as? String == "number")
    }

    @Test func rolesOwnershipAndNotFound() throws {
        let (_, alice) = try sx.account()
        let (_, bob) = try sx.account()
        let (_, admin) = try sx.account("admin")
        let strategy = try sx.createStrategy(alice, name: "mine")
        let id = try #require(strategy["id"] as? Int)
        for role in ["viewer", "analyst"] {
            let (_, auth) = try sx.account(role)
            #expect(try sx.client.send("GET", "/api/v1/strategies", headers: auth).status == 200)
            let create = try sx.client.send(
                "POST", "/api/v1/strategies", headers: auth,
                json: [
                    "name": "x", "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "momentum",
                ])
            #expect(create.status == 403, "\(role): \(create.text)")
            #expect(
                try sx.client.send("POST", "/api/v1/strategies/\(id)/execute", headers: auth, json: ["dataset_id": 1, "symbol": "A"]).status == 403)
            #expect(try sx.client.send("POST", "/api/v1/strategies/\(id)/stop", headers: auth).status == 403)
            #expect(try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["name": "y"]).status == 403)
            #expect(try sx.client.send("DELETE", "/api/v1/strategies/\(id)", headers: auth).status == 403)
        }
        // Bob: every route on Alice's strategy is a 404, like one that does not exist.
        for path in ["/api/v1/strategies/\(id)", "/api/v1/strategies/999999999", "/api/v1/strategies/0", "/api/v1/strategies/-3"] {
            #expect(try sx.client.send("GET", path, headers: bob).status == 404)
            #expect(
                try sx.client.send(
                    "PUT", path, headers: bob,
                    json: [
                        "name": "x", "strategy_type": "algorithmic_trading",
                        "engine": "builtin", "kind": "momentum",
                    ]
                ).status == 404)
            #expect(try sx.client.send("PATCH", path, headers: bob, json: ["name": "x"]).status == 404)
            #expect(try sx.client.send("DELETE", path, headers: bob).status == 404)
            #expect(try sx.client.send("POST", path + "/clone", headers: bob, json: ["name": "x"]).status == 404)
            #expect(try sx.client.send("POST", path + "/execute", headers: bob, json: ["dataset_id": 1, "symbol": "A"]).status == 404)
            #expect(try sx.client.send("POST", path + "/stop", headers: bob).status == 404)
            #expect(try sx.client.send("GET", path + "/runs", headers: bob).status == 404)
        }
        #expect(try sx.client.send("GET", "/api/v1/strategies", headers: bob).json["total"] as? Int == 0)
        // The same name is fine for another owner; an admin sees and edits Alice's.
        try sx.createStrategy(bob, name: "MINE")
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: admin).status == 200)
        let renamed = try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: admin, json: ["description": "checked"])
        #expect(renamed.status == 200 && renamed.json["owner_id"] as? Int == strategy["owner_id"] as? Int)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: alice).json["description"] as? String == "checked")
        #expect(try sx.client.send("GET", "/api/v1/strategies").status == 401)
    }

    @Test func concurrentCreatesWithOneNameGiveOne201() throws {
        let (_, auth) = try sx.account()
        let name = AuthFixtures.uniqueName("race")
        let count = 8
        let statuses = LockedArray()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let client = sx.client
            let response = try? client.send(
                "POST", "/api/v1/strategies", headers: auth,
                json: [
                    "name": index % 2 == 0 ? name : name.uppercased(), "strategy_type": "algorithmic_trading", "engine": "builtin",
                    "kind": "sma_crossover",
                ])
            statuses.append(response?.status ?? -1)
        }
        #expect(statuses.values.sorted() == [201] + Array(repeating: 409, count: count - 1), "\(statuses.values)")
        #expect(try sx.client.send("GET", "/api/v1/strategies?q=\(name)", headers: auth).json["total"] as? Int == 1)
    }
}
