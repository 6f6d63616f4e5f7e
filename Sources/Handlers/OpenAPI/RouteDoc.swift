import Quant
import Support
import TMFcgi

/// The documentation of one route, given where the route is registered (``Routes``), so a
/// route cannot exist without it. What the route table and the types already say (path
/// parameters, access, the success response of a typed handler, the error statuses that
/// follow from them) is derived, not repeated here.
public struct RouteDoc {
    /// One line: what the route does.
    public var summary: String
    /// The area, for grouping ("auth", "admin", "system").
    public var tag: String
    /// More prose, when one line is not enough.
    public var description: String?
    /// The request body's type, when there is one.
    public var body: (any Decodable.Type)?
    /// Whether the body is a form (`application/x-www-form-urlencoded`) rather than JSON.
    public var form: Bool
    /// Whether the body may be left out.
    public var bodyOptional: Bool
    /// The success body's type, for handlers that build their `Response` themselves.
    public var response: (any Decodable.Type)?
    /// The success status, for handlers that build their `Response` themselves.
    public var status: Int?
    /// The success body's media type when it is text, not JSON (the body is then a string).
    public var mediaType: String?
    /// Further error statuses the route answers (409, 429…), besides the derived ones.
    public var errors: [Int]
    /// Other statuses answered with the success body's schema (a readiness report's 503).
    public var alsoWithBody: [Int]
    /// Error statuses that may also come as plain JSON of another shape (OAuth2 errors),
    /// besides a problem.
    public var jsonErrors: [Int: any Decodable.Type]
    /// Query parameters.
    public var query: [QueryParameter]
    /// Whether the route is a list taking the standard paging parameters.
    public var paged: Bool
    /// Path parameters that are strings (every other one is a positive integer id).
    public var stringParameters: Set<String>
    /// An example request body.
    public var example: JSONDocument?
    /// Media types the success answer may have besides JSON (`text/csv`, `image/svg+xml`),
    /// documented as strings.
    public var otherMediaTypes: [String] = []

    /// A query parameter.
    public struct QueryParameter: Sendable {
        /// Its name.
        public var name: String
        /// Its JSON Schema.
        public var schema: JSONDocument
        /// What it does.
        public var description: String

        /// A parameter of `schema`.
        public init(_ name: String, _ schema: JSONDocument, _ description: String) {
            self.name = name
            self.schema = schema
            self.description = description
        }

        /// A string parameter.
        public static func string(_ name: String, _ description: String, maxLength: Int? = nil) -> QueryParameter {
            QueryParameter(
                name, .object([("type", .string("string"))] + (maxLength.map { [("maxLength", .integer(Int64($0)))] } ?? [])),
                description)
        }

        /// A string parameter that takes one of `values` (a JSON Schema `enum`, as the schemas
        /// of the types' string enums are written).
        public static func choice(_ name: String, _ values: [String], _ description: String) -> QueryParameter {
            QueryParameter(name, SchemaRecorder.Node.enumeration(values).json, description)
        }

        /// An integer parameter within `range`.
        public static func integer(_ name: String, _ range: ClosedRange<Int>, _ description: String) -> QueryParameter {
            QueryParameter(
                name,
                .object([
                    ("type", .string("integer")), ("minimum", .integer(Int64(range.lowerBound))),
                    ("maximum", .integer(Int64(range.upperBound))),
                ]), description)
        }
    }
}

extension RouteDoc {
    /// Documentation; only `summary` and `tag` are always needed.
    public init(
        _ summary: String, tag: String, description: String? = nil, body: (any Decodable.Type)? = nil,
        form: Bool = false, bodyOptional: Bool = false, response: (any Decodable.Type)? = nil, status: Int? = nil, mediaType: String? = nil,
        errors: [Int] = [], alsoWithBody: [Int] = [], jsonErrors: [Int: any Decodable.Type] = [:],
        query: [QueryParameter] = [], paged: Bool = false, stringParameters: Set<String> = [],
        example: JSONDocument? = nil
    ) {
        self.init(
            summary: summary, tag: tag, description: description, body: body, form: form, bodyOptional: bodyOptional, response: response,
            status: status, mediaType: mediaType, errors: errors, alsoWithBody: alsoWithBody, jsonErrors: jsonErrors, query: query,
            paged: paged, stringParameters: stringParameters, example: example)
    }
}

/// A handler's declared output type, as the documentation sees it.
protocol DocumentedOutput {
    /// The success status.
    static var documentedStatus: Int { get }
    /// The success body's type, if any.
    static var documentedBody: (any Decodable.Type)? { get }
}

extension NoContent: DocumentedOutput {
    static var documentedStatus: Int { 204 }
    static var documentedBody: (any Decodable.Type)? { nil }
}

extension Created: DocumentedOutput {
    static var documentedStatus: Int { 201 }
    static var documentedBody: (any Decodable.Type)? { Value.self as? any Decodable.Type }
}
