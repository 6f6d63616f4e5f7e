import Foundation
import Handlers
import Logging
import Models
import TMFcgi
import TestSupport
import Testing

@testable import JobRuntime

/// The OpenAPI document is built from the route table, so it covers every route; these check
/// that, and that the schemas come from the types.
@Suite struct OpenAPITests {
    func document() throws -> (Application<AppContext>, [String: Any]) {
        let app = try HealthHandlersTests().application(["TM_DIAGNOSTICS": "true"])
        let response = app.respond(to: Request(method: .get, path: "/api/v1/openapi.json"))
        #expect(response.status.code == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (app, json)
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() throws {
        let (app, json) = try document()
        #expect(json["openapi"] as? String == "3.1.0")
        let paths = try #require(json["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let registered = Set(
            app.router.registered.map { route in
                let path = route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
        #expect(registered.count == app.router.registered.count)
        #expect(documented == registered)
        #expect(registered.contains("GET /api/v1/auth/me"))
    }

    @Test func everyOperationHasASuccessResponseAndProblemsForErrors() throws {
        let (_, json) = try document()
        let paths = try #require(json["paths"] as? [String: [String: [String: Any]]])
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = try #require(operation["responses"] as? [String: [String: Any]], "\(method) \(path)")
                let success = responses.keys.compactMap(Int.init).filter { (200..<300).contains($0) }
                #expect(!success.isEmpty, "\(method) \(path)")
                for (code, response) in responses where Int(code).map({ $0 >= 400 }) == true {
                    let content = response["content"] as? [String: Any]
                    #expect(content?["application/problem+json"] != nil || path == "/api/v1/status", "\(method) \(path) \(code)")
                }
                #expect(operation["summary"] is String)
                #expect((operation["tags"] as? [String])?.count == 1)
            }
        }
    }

    @Test func schemasComeFromTheTypes() throws {
        let (_, json) = try document()
        let schemas = try #require((json["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let user = try #require(schemas["User"])
        let properties = try #require(user["properties"] as? [String: [String: Any]])
        #expect(
            Set(properties.keys) == [
                "id", "username", "email", "full_name", "role", "is_active", "created_at", "updated_at",
                "last_login_at", "version",
            ])
        #expect(properties["created_at"]?["format"] as? String == "date-time")
        #expect(properties["role"]?["enum"] as? [String] == Role.allCases.map(\.rawValue))
        #expect(Set(user["required"] as? [String] ?? []) == ["id", "username", "email", "role", "is_active", "created_at", "updated_at", "version"])
        // A list page wraps its items' schema (recorded from the item type, inline).
        let page = try #require(schemas["PageUser"]?["properties"] as? [String: [String: Any]])
        let item = try #require(page["items"]?["items"] as? [String: Any])
        #expect((item["properties"] as? [String: Any])?.keys.contains("username") == true)
        #expect(Set(schemas["PageUser"]?["required"] as? [String] ?? []) == ["items", "total", "limit", "offset"])
        // A type that states its own schema (any JSON, for job payloads) keeps it.
        let job = try #require(schemas["Job"]?["properties"] as? [String: [String: Any]])
        #expect(job["payload"]?.isEmpty == true)
        #expect(job["status"]?["enum"] as? [String] == ["queued", "running", "succeeded", "failed", "cancelled"])
    }
}
