import Support

/// The analytics results' JSON: the one model, ``Support/JSONDocument``.
public typealias JSONValue = JSONDocument
