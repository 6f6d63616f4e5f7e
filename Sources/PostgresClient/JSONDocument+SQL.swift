import Support

extension JSONDocument: SQLEncodable, SQLDecodable {
    /// The JSON text, for a `jsonb` parameter.
    public var sqlText: String { json }
    /// Parses `jsonb` output.
    public init?(sqlText: String) { self.init(json: sqlText) }
}
