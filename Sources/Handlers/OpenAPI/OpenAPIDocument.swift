import Quant
import Support
import TMFcgi

/// The OpenAPI 3.1 document of the API, built from the route table: every registered route,
/// its parameters, body and responses, with schemas recorded from the request and response
/// types (``SchemaRecorder``). Errors are RFC 9457 problems.
public enum OpenAPIDocument {
    /// The document for `routes` as JSON text.
    public static func render(_ routes: [Routes.DocumentedRoute], version: String) -> String {
        var paths: [(String, [(String, JSONDocument)])] = []
        var schemas: [(String, JSONDocument)] = [("Problem", problemSchema)]
        var named = Set<String>()
        var tags: [String] = []

        /// A `$ref` to the schema of `type`, adding it to the components once.
        func reference(_ type: any Decodable.Type) -> JSONDocument {
            let name = schemaName(type)
            if named.insert(name).inserted { schemas.append((name, SchemaRecorder.schema(of: type))) }
            return .object([("$ref", .string("#/components/schemas/\(name)"))])
        }

        for route in routes {
            let (template, parameterNames) = openAPIPath(route.path)
            if !tags.contains(route.doc.tag) { tags.append(route.doc.tag) }
            var operation: [(String, JSONDocument)] = [
                ("operationId", .string(operationID(route.method, route.path))),
                ("summary", .string(route.doc.summary)),
                ("tags", .array([.string(route.doc.tag)])),
            ]
            if let description = route.doc.description { operation.append(("description", .string(description))) }

            var parameters: [JSONDocument] = parameterNames.map { name in
                let schema: JSONDocument =
                    route.doc.stringParameters.contains(name)
                    ? .object([("type", .string("string")), ("minLength", .integer(1))])
                    : .object([("type", .string("integer")), ("minimum", .integer(1))])
                return .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", schema)])
            }
            var query = route.doc.query
            if route.doc.paged { query = pagingParameters + query }
            parameters += query.map { parameter in
                .object([
                    ("name", .string(parameter.name)), ("in", .string("query")), ("required", .bool(false)),
                    ("description", .string(parameter.description)), ("schema", parameter.schema),
                ])
            }
            if !parameters.isEmpty { operation.append(("parameters", .array(parameters))) }

            if let body = route.doc.body {
                var content: [(String, JSONDocument)] = [("schema", reference(body))]
                if let example = route.doc.example { content.append(("example", example)) }
                let mediaType = route.doc.form ? "application/x-www-form-urlencoded" : "application/json"
                operation.append(
                    (
                        "requestBody",
                        .object([
                            ("required", .bool(!route.doc.bodyOptional)),
                            ("content", .object([(mediaType, .object(content))])),
                        ])
                    ))
            }

            var responses: [(String, JSONDocument)] = []
            let status = route.status ?? 200
            var success: [(String, JSONDocument)] = [("description", .string(statusDescription(status)))]
            var media: [(String, JSONDocument)] = []
            if let body = route.body { media.append(("application/json", .object([("schema", reference(body))]))) }
            for type in (route.doc.mediaType.map { [$0] } ?? []) + route.doc.otherMediaTypes {
                media.append((type, .object([("schema", .object([("type", .string("string"))]))])))
            }
            if !media.isEmpty { success.append(("content", .object(media))) }
            responses.append((String(status), .object(success)))
            for code in route.doc.alsoWithBody {
                responses.append((String(code), .object([("description", .string(statusDescription(code)))] + success.dropFirst())))
            }
            for code in errorStatuses(route, hasPathParameters: !parameterNames.isEmpty) {
                var content: [(String, JSONDocument)] = [
                    ("application/problem+json", .object([("schema", .object([("$ref", .string("#/components/schemas/Problem"))]))]))
                ]
                if let other = route.doc.jsonErrors[code] { content.append(("application/json", .object([("schema", reference(other))]))) }
                responses.append((String(code), .object([("description", .string(statusDescription(code))), ("content", .object(content))])))
            }
            operation.append(("responses", .object(responses)))

            switch route.access {
            case .anyone: operation.append(("security", .array([])))
            case .caller:
                operation.append(
                    (
                        "security",
                        .array([
                            .object([("bearerAuth", .array([]))]), .object([("apiKey", .array([]))]),
                            .object([("oauth2", .array([]))]),
                        ])
                    ))
            case .session: operation.append(("security", .array([.object([("bearerAuth", .array([]))]), .object([("oauth2", .array([]))])])))
            }

            if let index = paths.firstIndex(where: { $0.0 == template }) {
                paths[index].1.append((route.method.rawValue.lowercased(), .object(operation)))
            } else {
                paths.append((template, [(route.method.rawValue.lowercased(), .object(operation))]))
            }
        }

        let document: JSONDocument = .object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string("TradeMaster Web Backend")),
                    ("version", .string(version)),
                    (
                        "description",
                        .string(
                            "The REST API of the TradeMaster quantitative-trading platform. Errors are RFC 9457 problems (application/problem+json). Authenticate with a Bearer access token from POST /api/v1/auth/login or /api/v1/auth/token, or with a personal API key (X-API-Key); account management needs a login session."
                        )
                    ),
                ])
            ),
            ("servers", .array([.object([("url", .string("/"))])])),
            ("tags", .array(tags.map { .object([("name", .string($0))]) })),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            (
                "components",
                .object([
                    ("schemas", .object(schemas)),
                    (
                        "securitySchemes",
                        .object([
                            ("bearerAuth", .object([("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("JWT"))])),
                            ("apiKey", .object([("type", .string("apiKey")), ("in", .string("header")), ("name", .string("X-API-Key"))])),
                            (
                                "oauth2",
                                .object([
                                    ("type", .string("oauth2")),
                                    (
                                        "flows",
                                        .object([
                                            ("password", .object([("tokenUrl", .string("/api/v1/auth/token")), ("scopes", .object([]))]))
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    ),
                ])
            ),
        ])
        return document.rendered()
    }

    /// `/api/v1/x/:id` → (`/api/v1/x/{id}`, ["id"]).
    static func openAPIPath(_ path: String) -> (String, [String]) {
        var names: [String] = []
        let segments = path.split(separator: "/").map { segment -> String in
            guard segment.hasPrefix(":") else { return String(segment) }
            names.append(String(segment.dropFirst()))
            return "{\(segment.dropFirst())}"
        }
        return ("/" + segments.joined(separator: "/"), names)
    }

    static func operationID(_ method: HTTPMethod, _ path: String) -> String {
        let words = path.split(separator: "/").filter { $0 != "api" && $0 != "v1" }
            .map { $0.hasPrefix(":") ? "by_" + $0.dropFirst() : $0.replacingOccurrences(of: "-", with: "_") }
        return method.rawValue.lowercased() + "_" + words.joined(separator: "_")
    }

    /// The modules whose names are left out of component names.
    static let modules = [
        "Handlers", "Models", "TMFcgi", "Quant", "JobRuntime", "PostgresClient", "RedisClient", "Realtime", "TradeMasterAPI",
        "CurlHTTP", "Support", "Security", "Swift",
    ]

    /// The component name of a type: its name without module or generic noise.
    static func schemaName(_ type: Any.Type) -> String {
        var name = String(reflecting: type)
        for module in Self.modules { name = name.replacingOccurrences(of: module + ".", with: "") }
        return name.unicodeScalars.filter { CharacterSetAlnum.contains($0) }.map(String.init).joined()
    }

    /// The problems a route can answer, derived from what it takes and who may call it.
    static func errorStatuses(_ route: Routes.DocumentedRoute, hasPathParameters: Bool) -> [Int] {
        var codes = Set(route.doc.errors).union(route.doc.jsonErrors.keys)
        if route.doc.body != nil { codes.formUnion([400, 413, 415, 422]) }
        if !route.doc.query.isEmpty || route.doc.paged { codes.formUnion([400, 422]) }
        if hasPathParameters { codes.insert(404) }
        // nginx answers these before the app (README "The edge"): every route is under a rate
        // limit (429), and a request target longer than nginx's buffers is a 414.
        codes.insert(429)
        if hasPathParameters || !route.doc.query.isEmpty || route.doc.paged { codes.insert(414) }
        switch route.access {
        case .anyone: break
        // 400: two credentials in one request (Authorization and X-API-Key) are ambiguous.
        case .caller, .session: codes.formUnion([400, 401, 403, 503])
        }
        return codes.sorted()
    }

    static let pagingParameters: [RouteDoc.QueryParameter] = [
        .integer("limit", 1...PageRequest.maximumLimit, "Items per page (default \(PageRequest.defaultLimit))."),
        .integer("offset", 0...Int(Int32.max), "Items to skip."),
        .integer("page", 1...1_000_000, "1-based page number (instead of offset)."),
        .integer("page_size", 1...PageRequest.maximumLimit, "Items per page with page."),
    ]

    static func statusDescription(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Malformed request, or two credentials"
        case 401: return "Missing or invalid credentials"
        case 403: return "Not allowed for this caller"
        case 404: return "Not found, or not yours"
        case 409: return "Conflict"
        case 412: return "Precondition failed (stale If-Match)"
        case 413: return "Body too large"
        case 414: return "Request target too long"
        case 415: return "Unsupported media type"
        case 422: return "Invalid fields"
        case 429: return "Too many requests"
        case 503: return "A dependency is down; retry"
        case 507: return "Storage quota exceeded"
        default: return "Status \(code)"
        }
    }

    static let problemSchema: JSONDocument = .object([
        ("type", .string("object")),
        (
            "properties",
            .object([
                ("type", .object([("type", .string("string"))])),
                ("title", .object([("type", .string("string"))])),
                ("status", .object([("type", .string("integer"))])),
                ("detail", .object([("type", .string("string"))])),
                ("instance", .object([("type", .string("string"))])),
                ("request_id", .object([("type", .string("string"))])),
                (
                    "errors",
                    .object([
                        ("type", .string("array")),
                        (
                            "items",
                            .object([
                                ("type", .string("object")),
                                (
                                    "properties",
                                    .object([("pointer", .object([("type", .string("string"))])), ("detail", .object([("type", .string("string"))]))])
                                ),
                                ("required", .array([.string("pointer"), .string("detail")])),
                            ])
                        ),
                    ])
                ),
            ])
        ),
        ("required", .array([.string("type"), .string("title"), .string("status")])),
    ])
}

private enum CharacterSetAlnum {
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
