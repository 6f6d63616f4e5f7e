import TMFcgi

/// One page of a collection: `{items, total, limit, offset}`.
public struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    /// The items of this page.
    public var items: [Item]
    /// How many items match in all.
    public var total: Int
    /// The page size.
    public var limit: Int
    /// Items skipped before this page.
    public var offset: Int
}
