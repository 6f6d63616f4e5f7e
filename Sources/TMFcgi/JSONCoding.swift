import Foundation
import Support

/// The one JSON convention of the API: snake_case keys, ISO 8601 dates, keys in sorted order.
public enum JSONCoding {
    /// A configured encoder (snake_case keys, ISO 8601 dates).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]  // stable output: diffable, cacheable
        return encoder
    }

    /// A configured decoder (snake_case keys, strict RFC 3339 dates within ``RFC3339/range``).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: invalidDate))
            }
            return date
        }
        return decoder
    }

    /// What a bad date-time is told.
    static let invalidDate = "must be an RFC 3339 date-time between years 0001 and 9999, like 2030-01-31T12:00:00Z"

    /// `value` as a JSON response with `status`.
    public static func response<T: Encodable>(_ value: T, status: HTTPStatus) throws -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        let data = try makeEncoder().encode(value)
        return Response(status: status, headers: headers, body: Array(data))
    }

    /// Decodes a request body, turning every failure into a 400 (not JSON) or 422 (wrong
    /// shape) problem that points at the offending field. The bytes pass ``JSONValidator``
    /// first. Bodies are strict: a member the type does not take (`/descripton`) is a 422
    /// naming it and the members its object takes, never silently dropped.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(type, document: try JSONValidator.parse(bytes))
    }

    /// ``decode(_:from:)``, and the body's meaning from the same parse: the value written
    /// compactly with sorted keys, so bodies that differ only in key order, spacing or escapes
    /// mean the same (what an `Idempotency-Key` compares).
    public static func decodeWithMeaning<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> (value: T, meaning: [UInt8]) {
        let document = try JSONValidator.parse(bytes)
        return (try decode(type, document: document), Array(document.json.utf8))
    }

    static func decode<T: Decodable>(_ type: T.Type, document: JSONDocument) throws -> T {
        let value: T
        let unknown: [StrictJSONDecoder.UnknownMember]
        do {
            (value, unknown) = try StrictJSONDecoder.decode(type, from: document)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
        guard unknown.isEmpty else {
            throw Problem.validation(
                unknown.map { member in
                    let takes = member.accepted.isEmpty ? "takes no members" : "takes " + member.accepted.joined(separator: ", ")
                    return FieldError(pointer: member.pointer, detail: "is not a member of this request (its object \(takes))")
                })
        }
        return value
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty && context.debugDescription.contains("not valid JSON"):
            return Problem(
                .badRequest, type: "/problems/malformed-json", title: "Malformed JSON",
                detail: "The request body is not valid JSON.")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation on Linux loses the path of a bad date: say what is wrong without it.
            let detail = context.debugDescription == invalidDate ? invalidDate : "a value has an invalid format"
            return .validation([FieldError(pointer: "", detail: detail)])
        case .dataCorrupted(let context):
            let description = context.debugDescription
            let detail = description == invalidDate || description.hasPrefix("must ") ? description : "has an invalid value"
            return .validation([FieldError(pointer: pointer(context.codingPath), detail: detail)])
        case .keyNotFound(let key, let context):
            return .validation([FieldError(pointer: pointer(context.codingPath + [key]), detail: "is required")])
        case .valueNotFound(_, let context):
            return .validation([FieldError(pointer: pointer(context.codingPath), detail: "must not be null")])
        case .typeMismatch(let type, let context):
            return .validation([
                FieldError(
                    pointer: pointer(context.codingPath),
                    detail: "must be \(describe(type))")
            ])
        @unknown default:
            return Problem(.badRequest, detail: "The request body could not be read.")
        }
    }

    /// An RFC 6901 pointer for a coding path, with keys back in snake_case.
    static func pointer(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "" }
        return path.map { key -> String in
            if let index = key.intValue { return "/\(index)" }
            let escaped = snakeCase(key.stringValue)
                .replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            return "/" + escaped
        }.joined()
    }

    /// `fullName` → `full_name`, as the encoder writes keys.
    public static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                if !out.isEmpty { out.append("_") }
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is [Any].Type: return "an array"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a valid value"
        }
    }
}
