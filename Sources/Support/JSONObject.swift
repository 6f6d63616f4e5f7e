/// The members of a JSON object, in the order they were added: what ``JSONDocument/object(_:)``
/// holds. A key appears once (setting it again keeps its place); equality ignores the order,
/// as JSON does, while ``JSONDocument/rendered()`` writes the members in this order, so
/// documents built in code (the OpenAPI text, `tm backtest`'s result) read as they were
/// written.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    /// The keys in order.
    public private(set) var keys: [String] = []
    private var values: [String: JSONDocument] = [:]

    /// No members.
    public init() {}

    /// The members in this order; a repeated key keeps its first place and its last value.
    public init(_ members: some Sequence<(String, JSONDocument)>) {
        for (key, value) in members { self[key] = value }
    }

    /// A dictionary's members, in the order of their keys (a dictionary has none of its own).
    public init(_ dictionary: [String: JSONDocument]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public init(dictionaryLiteral elements: (String, JSONDocument)...) { self.init(elements) }

    public init(arrayLiteral elements: (String, JSONDocument)...) { self.init(elements) }

    /// The member `key`; setting nil removes it.
    public subscript(key: String) -> JSONDocument? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// How many members.
    public var count: Int { keys.count }

    /// No members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The members as a dictionary (for APIs that take one).
    public var dictionary: [String: JSONDocument] { values }

    /// The same keys in the same order, each value transformed.
    public func mapValues(_ transform: (JSONDocument) throws -> JSONDocument) rethrows -> JSONObject {
        var out = JSONObject()
        for key in keys { out[key] = try transform(values[key]!) }
        return out
    }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONDocument)> {
        keys.lazy.map { (key: $0, value: values[$0]!) }.makeIterator()
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.values == b.values }
}
