import TMFcgi

/// Which slice of a list the client asked for, per the API conventions: `limit` (1–100,
/// default 20) and `offset`, or `page` (1-based) with `page_size` (`per_page` is accepted as
/// its alias). The one parser every list uses.
public struct PageRequest: Sendable, Equatable {
    /// The largest page.
    public static let maximumLimit = 100
    /// The page size when none is asked for.
    public static let defaultLimit = 20

    /// Items per page.
    public var limit: Int
    /// Items skipped.
    public var offset: Int

    /// A page from its parts.
    public init(limit: Int = defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    /// The page `query` asks for; each invalid parameter is appended to `errors` under its name.
    public static func parse(_ query: [String: String], errors: inout [FieldError]) -> PageRequest {
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? { QueryValue.integer(query, name, range, errors: &errors) }
        let sizes = 1...maximumLimit
        // Every paging parameter given is checked, even one another takes precedence over.
        let limits = [integer("limit", sizes), integer("page_size", sizes), integer("per_page", sizes)]
        let explicitOffset = integer("offset", 0...Int(Int32.max))
        let page = integer("page", 1...1_000_000)
        let limit = limits.lazy.compactMap { $0 }.first ?? defaultLimit
        var offset = explicitOffset ?? 0
        if query["offset"] == nil, let page { offset = (page - 1) * limit }
        return PageRequest(limit: limit, offset: offset)
    }
}

/// One page of a list: `{items, total, limit, offset}`.
public struct Page<Item: Codable>: ResponseEncodable, Codable {
    /// The items of this page.
    public var items: [Item]
    /// How many items match in all.
    public var total: Int
    /// The page size asked for.
    public var limit: Int
    /// Items skipped before this page.
    public var offset: Int

    /// A page of `items` out of `total`, for `request`.
    public init(items: [Item], total: Int, request: PageRequest) {
        self.items = items
        self.total = total
        self.limit = request.limit
        self.offset = request.offset
    }

    /// The page `request` asks for of a whole list held in memory (a user's sessions or keys).
    public init<Element>(slicing all: [Element], request: PageRequest, _ item: (Element) -> Item) {
        self.init(items: all.dropFirst(request.offset).prefix(request.limit).map(item), total: all.count, request: request)
    }
}
