import TMFcgi

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every route registered before it
/// (and itself), rendered once at startup. Swagger UI and ReDoc are static pages nginx
/// serves at `/api/v1/docs` and `/api/v1/redoc`.
public enum DocsHandlers {
    /// Registers the document route last, so the document covers the whole table.
    public static func register(on routes: inout Routes, version: String) {
        let text = Rendered()
        routes.get("/api/v1/openapi.json", .anyone, doc: RouteDoc("This document (OpenAPI 3.1)", tag: "system")) { _, _ -> Response in
            var response = Response.json(text.value)
            response.headers.add("Cache-Control", "public, max-age=60")
            return response
        }
        text.value = OpenAPIDocument.render(routes.documented, version: version)
    }

    /// The document text: written once before the pool serves, read-only afterwards.
    final class Rendered: @unchecked Sendable {
        var value = ""
    }
}
