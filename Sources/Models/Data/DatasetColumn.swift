/// One column of an uploaded file: its name as written and what it holds.
public struct DatasetColumn: Codable, Sendable, Equatable {
    /// What a column holds.
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// Bar time; the symbol (long layout); prices; volume; any other numeric column.
        case date, symbol, open, high, low, close, volume, extra
    }

    /// The header name.
    public var name: String
    /// Its role.
    public var role: Role

    /// A column.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}

/// How a dataset's file was laid out: one symbol per file (`wide`) or a symbol column (`long`).
public enum DatasetLayout: String, Codable, Sendable, CaseIterable {
    /// `date,open,high,low,close,volume`, one symbol.
    case wide
    /// `date,tic,open,…`, many symbols (TradeMaster's files).
    case long
}
