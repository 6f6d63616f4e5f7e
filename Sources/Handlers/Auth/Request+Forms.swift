import TMFcgi

extension Request {
    /// Decodes a JSON body, or returns `fallback` when the request has no body at all.
    func decode<T: Decodable>(_ type: T.Type, orIfEmpty fallback: T) throws -> T {
        if headers["Content-Type"] == nil && (body.declaredLength ?? 0) == 0 { return fallback }
        return try decode(type)
    }
}
