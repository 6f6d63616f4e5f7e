import Foundation
import Models
import Quant
import Security
import Support
import TMFcgi

/// Targets over text the API reads: JSON bodies, query strings and forms, date-times, tokens.
enum TextTargets {
    /// The JSON path every handler takes (`JSONCoding.decode`: ``JSONValidator`` first, then
    /// the decoder with strict RFC 3339 dates), into body types of several shapes.
    static func json(_ bytes: [UInt8]) {
        _ = try? JSONValidator.validate(bytes)
        _ = try? JSONCoding.decode(JSONDocument.self, from: bytes)
        _ = try? JSONCoding.decode([PreprocessStep].self, from: bytes)
        _ = try? JSONCoding.decode(TradingDefaults.self, from: bytes)
        _ = try? JSONCoding.decode(TradeMasterConfig.self, from: bytes)
        _ = try? JSONCoding.decode(DatedBody.self, from: bytes)
        if let text = String(validating: bytes, as: UTF8.self), let document = JSONDocument(json: text) { _ = document.json }
    }

    /// A body with a date, a number and an optional nested list: the decoder's date strategy and the problem pointers.
    struct DatedBody: Decodable {
        var startDate: Date
        var maxPoints: Int?
        var weights: [String: Double]?
    }

    /// Query strings and form bodies (`URLEncodedForm`, through `Request` as the handlers read them).
    static func form(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? URLEncodedForm.parse(text, source: "form body")
        _ = PercentDecoding.decode(text)
        let request = Request(
            method: .post, path: "/api/v1/auth/token", query: text,
            headers: {
                var headers = HTTPHeaders()
                headers.add("Content-Type", "application/x-www-form-urlencoded")
                return headers
            }(), requestID: "fuzz", body: RequestBody(bytes: bytes))
        _ = try? request.queryItems
        _ = try? request.formFields()
    }

    /// RFC 3339 (JSON bodies and query parameters) and the price files' timestamps.
    static func timestamp(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let date = RFC3339.parse(text) { precondition(RFC3339.range.contains(date), "RFC3339.parse outside its range: \(text)") }
        _ = bytes.withUnsafeBufferPointer { CSVTimestamp.parse($0) }
        if case .success(let seconds) = bytes.withUnsafeBufferPointer({ CSVTimestamp.parse($0) }) {
            _ = TimestampFormatter.iso8601(seconds)
        }
    }

    private static let key = Array("fuzzing-key-fuzzing-key-fuzzing-key!".utf8)
    private static let previousKey = Array("previous-key-previous-key-previous-key".utf8)
    private static let signer = try! JWTSigner(currentKey: key, previousKey: previousKey, issuer: "trademaster", audience: "trademaster-api")
    static let now: Int64 = 1_767_225_600

    /// The access-token verifier: a raw token, or (first byte odd) a header and payload from
    /// the input signed with the real key, so the claim checks are reached too.
    static func jwt(_ bytes: [UInt8]) {
        guard let first = bytes.first else {
            _ = try? signer.verify("", now: now)
            return
        }
        let rest = Array(bytes.dropFirst())
        if first & 1 == 0 {
            _ = try? signer.verify(String(decoding: rest, as: UTF8.self), now: now)
            return
        }
        // Header and payload split at the first 0xFF (header: the standard one when absent).
        let split = rest.firstIndex(of: 0xFF)
        let header = split.map { Array(rest[..<$0]) } ?? HS256.standardHeader
        let payload = split.map { Array(rest[($0 + 1)...]) } ?? rest
        let token = HS256.sign(header: header, payload: payload, key: first & 2 == 0 ? key : previousKey)
        _ = try? signer.verify(token, now: now)
    }
}
