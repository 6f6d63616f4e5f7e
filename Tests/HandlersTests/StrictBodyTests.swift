import Foundation
import TestSupport
import Testing

/// Request bodies are strict (issue 26): a member no route takes is a 422 naming it, on every
/// route with a JSON body, however deep it is, instead of being dropped without a word.
@Suite(.inProcess("strict")) struct StrictBodyTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    /// Every route the OpenAPI document gives a JSON body: its smallest valid-looking body
    /// (the required members, from the schema) plus `zz_unknown` is refused with a 422 at
    /// `/zz_unknown`, and the detail lists the members the body takes.
    @Test func everyRouteWithABodyRefusesAnUnknownMember() throws {
        let (admin, auth) = try sx.account("admin")
        let (other, _) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        let labelling = try sx.client.send(
            "POST", "/api/v1/analysis/market-dynamics", headers: auth,
            json: [
                "dataset_name": "algorithmic_trading:BTC", "start_date": "2020-01-01", "end_date": "2021-01-01",
                "number_of_market_style": 3, "labeling_method": "quantile",
            ])
        try #require(labelling.status == 202, "\(labelling.text)")
        let ids: [String: Int] = [
            "strategies": strategy, "datasets": dataset, "users": other.id, "market-dynamics": try #require(labelling.json["id"] as? Int),
        ]
        let document = try sx.client.send("GET", "/api/v1/openapi.json").json
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        var checked: [String] = []
        for (template, operations) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, operation) in operations.sorted(by: { $0.key < $1.key }) {
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: [String: Any]]
                guard let schema = content?["application/json"]?["schema"] as? [String: Any] else { continue }
                let path = try Self.fill(template, ids: ids)
                guard var body = Self.minimal(schema, schemas) as? [String: Any] else {
                    Issue.record("\(method) \(template): the body is not an object")
                    continue
                }
                body["zz_unknown"] = 1
                let answer = try sx.client.send(method.uppercased(), path, headers: auth, json: body)
                #expect(answer.status == 422, "\(method) \(template) \(body): \(answer.status) \(answer.text)")
                #expect(StrategyFixtures.pointers(answer) == ["/zz_unknown"], "\(method) \(template): \(answer.text)")
                #expect(answer.header("content-type") == "application/problem+json")
                checked.append("\(method.uppercased()) \(template)")
            }
        }
        // The walk reached the routes the issue names (and the admin's, with a user id).
        #expect(checked.contains("PATCH /api/v1/strategies/{id}") && checked.contains("POST /api/v1/strategies"))
        #expect(checked.contains("POST /api/v1/analysis/backtest") && checked.contains("PATCH /api/v1/admin/users/{id}"))
        #expect(checked.count >= 18, "\(checked)")
        _ = admin
    }

    /// Deeper members are checked too, each at its own pointer, and a misspelled member of a
    /// PATCH changes nothing: the version stays.
    @Test func aMisspelledNestedMemberIsNamedAndChangesNothing() throws {
        let (_, auth) = try sx.account()
        let strategy = try sx.createStrategy(auth)
        let id = try #require(strategy["id"] as? Int)
        let patch = try sx.client.send(
            "PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["descripton": "x", "trading": ["comission": 0.5]])
        #expect(patch.status == 422)
        #expect(StrategyFixtures.pointers(patch) == ["/descripton", "/trading/comission"], "\(patch.text)")
        let detail = (patch.json["errors"] as? [[String: Any]])?.first?["detail"] as? String ?? ""
        #expect(detail.contains("description") && detail.contains("parameters"), "\(detail)")
        let shown = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth)
        #expect(shown.json["version"] as? Int == strategy["version"] as? Int)
        // Parameters are a map: their names are data, not members (a wrong name is the
        // validator's 422 at its own pointer).
        let parameters = try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["parameters": ["fast": 4, "slow": 9]])
        #expect(parameters.status == 200, "\(parameters.text)")
    }

    /// A PATCH that changes nothing (`{}`, or the values already there) keeps the version and
    /// the ETag, for strategies, datasets and users; a real change still bumps it once.
    @Test func aWriteThatChangesNothingKeepsTheVersion() throws {
        let (_, administrator) = try sx.account("admin")
        let (user, auth) = try sx.account()
        let strategy = try sx.createStrategy(auth)
        let id = try #require(strategy["id"] as? Int)
        let dataset = try sx.uploadDaily(auth)
        let targets: [(path: String, auth: [String: String], same: [String: Any], change: [String: Any])] = [
            ("/api/v1/strategies/\(id)", auth, ["name": try #require(strategy["name"] as? String)], ["description": "changed"]),
            ("/api/v1/data/datasets/\(dataset)", auth, ["tags": []], ["description": "changed"]),
            ("/api/v1/admin/users/\(user.id)", administrator, ["role": "user", "is_active": true], ["role": "viewer"]),
        ]
        for target in targets {
            // No GET for one user: an admin reads the ETag from a PATCH's answer.
            let admin = target.path.contains("/admin/")
            let before = try sx.client.send(admin ? "PATCH" : "GET", target.path, headers: target.auth, json: admin ? target.same : nil)
            try #require(before.status == 200, "\(target.path): \(before.text)")
            let version = try #require(before.header("etag"))
            for body in [[String: Any](), target.same] {
                let patched = try sx.client.send("PATCH", target.path, headers: target.auth.merging(["If-Match": version]) { $1 }, json: body)
                #expect(patched.status == 200 && patched.header("etag") == version, "\(target.path) \(body): \(patched.text)")
            }
            let changed = try sx.client.send("PATCH", target.path, headers: target.auth.merging(["If-Match": version]) { $1 }, json: target.change)
            #expect(changed.status == 200 && changed.header("etag") != version, "\(target.path): \(changed.text)")
            let again = try sx.client.send("PATCH", target.path, headers: target.auth.merging(["If-Match": version]) { $1 }, json: target.change)
            #expect(again.status == 412, "\(target.path): the old ETag is stale after a real change")
        }
    }

    /// `path` with each `{id}` replaced by the fixture id of the collection before it.
    static func fill(_ template: String, ids: [String: Int]) throws -> String {
        var parts = template.split(separator: "/").map(String.init)
        for index in parts.indices where parts[index].hasPrefix("{") {
            let collection = index > 0 ? parts[index - 1] : ""
            guard let id = ids[collection] else { throw TestHTTPError(description: "no fixture id for \(template): add one") }
            parts[index] = String(id)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The smallest value `schema` accepts that decoding gets past: required members only,
    /// an enum's first value, a date for a date-time.
    static func minimal(_ schema: [String: Any], _ schemas: [String: [String: Any]]) -> Any {
        if let reference = schema["$ref"] as? String, let target = schemas[String(reference.split(separator: "/").last ?? "")] {
            return minimal(target, schemas)
        }
        if let options = schema["anyOf"] as? [[String: Any]], let first = options.first { return minimal(first, schemas) }
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        switch schema["type"] as? String {
        case "object":
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            var object: [String: Any] = [:]
            for name in schema["required"] as? [String] ?? [] {
                object[name] = properties[name].map { minimal($0, schemas) } ?? 1
            }
            return object
        case "array": return []
        case "string": return schema["format"] as? String == "date-time" ? "2024-01-02T00:00:00Z" : "x"
        case "integer", "number": return 1
        case "boolean": return false
        default: return [String: Any]()
        }
    }
}
