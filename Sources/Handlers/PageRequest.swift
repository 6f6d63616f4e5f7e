import TMFcgi

/// `limit`/`offset` (or `page`/`page_size`) of a list request, per the API conventions:
/// `limit` 1...100, default 20.
struct PageRequest: Sendable {
    /// The largest page.
    static let maximumLimit = 100
    /// The page size when none is asked for.
    static let defaultLimit = 20
    /// Items per page.
    var limit: Int
    /// Items skipped.
    var offset: Int

    /// Parses the paging parameters of `query`, appending what is invalid to `errors`.
    init(query: [String: String], errors: inout [FieldError]) {
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let text = query[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                errors.append(FieldError(pointer: name, detail: "must be an integer in \(range.lowerBound)...\(range.upperBound)"))
                return nil
            }
            return value
        }
        limit = integer("limit", 1...Self.maximumLimit) ?? integer("page_size", 1...Self.maximumLimit) ?? Self.defaultLimit
        offset = integer("offset", 0...Int(Int32.max)) ?? 0
        if query["offset"] == nil, let page = integer("page", 1...1_000_000) { offset = (page - 1) * limit }
    }
}
