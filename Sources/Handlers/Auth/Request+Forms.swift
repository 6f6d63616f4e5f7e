import TMFcgi

extension Request {
    /// The fields of an `application/x-www-form-urlencoded` body (415 for another type);
    /// the last value wins for a repeated name.
    func formFields() throws -> [String: String] {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw Problem(.unsupportedMediaType, detail: "Send the body as application/x-www-form-urlencoded.",
                          headers: [("Accept", "application/x-www-form-urlencoded")])
        }
        let text = String(decoding: try body.collect(), as: UTF8.self)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(String(parts[0]), plusAsSpace: true) else { continue }
            fields[name] = parts.count > 1 ? (PercentDecoding.decode(String(parts[1]), plusAsSpace: true) ?? "") : ""
        }
        return fields
    }

    /// Decodes a JSON body, or returns `fallback` when the request has no body at all.
    func decode<T: Decodable>(_ type: T.Type, orIfEmpty fallback: T) throws -> T {
        if headers["Content-Type"] == nil && (body.declaredLength ?? 0) == 0 { return fallback }
        return try decode(type)
    }
}
