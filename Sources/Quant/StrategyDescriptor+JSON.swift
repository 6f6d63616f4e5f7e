import Support

extension StrategyDescriptor {
    /// The descriptor as JSON, for the API's strategy catalogue. A choice parameter is a
    /// `string` with its `enum` of names and its default by name.
    public var json: JSONDocument {
        .object([
            ("name", .string(name)), ("summary", .string(summary)), ("supports_short", .bool(supportsShort)),
            (
                "parameters",
                .array(
                    parameters.map { p in
                        guard p.kind == .choice else {
                            return .object([
                                ("name", .string(p.name)), ("type", .string(p.kind.rawValue)),
                                ("default", .finite(p.defaultValue)), ("minimum", .finite(p.range.lowerBound)),
                                ("maximum", .finite(p.range.upperBound)), ("summary", .string(p.summary)),
                            ])
                        }
                        return .object([
                            ("name", .string(p.name)), ("type", .string("string")),
                            ("default", .string(p.choiceName(p.defaultValue) ?? "")),
                            ("enum", .array(p.choices.map { .string($0) })), ("summary", .string(p.summary)),
                        ])
                    })
            ),
        ])
    }
}
