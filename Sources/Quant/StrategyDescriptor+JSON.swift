extension StrategyDescriptor {
    /// The descriptor as JSON, for the API's strategy catalogue.
    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("summary", .string(summary)), ("supports_short", .bool(supportsShort)),
            ("parameters", .array(parameters.map { p in
                .object([
                    ("name", .string(p.name)), ("type", .string(p.kind.rawValue)),
                    ("default", .finite(p.defaultValue)), ("minimum", .finite(p.range.lowerBound)),
                    ("maximum", .finite(p.range.upperBound)), ("summary", .string(p.summary)),
                ])
            })),
        ])
    }
}
