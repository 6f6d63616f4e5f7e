/// The fields the OHLCV reader understands and the header names (case-insensitive) it accepts.
public enum CSVField: String, CaseIterable, Sendable {
    /// Bar time. Symbol (long format). Prices. Adjusted close (`adjcp`). Volume.
    case date, symbol, open, high, low, close, adjustedClose, volume

    /// Accepted header names, lower-case.
    public var aliases: [String] {
        switch self {
        case .date: return ["date", "datetime", "timestamp", "time"]
        case .symbol: return ["tic", "symbol", "ticker"]
        case .open: return ["open"]
        case .high: return ["high"]
        case .low: return ["low"]
        case .close: return ["close"]
        case .adjustedClose: return ["adjcp", "adj_close", "adjclose", "adj close"]
        case .volume: return ["volume", "vol"]
        }
    }

    /// The field a header name denotes, if any.
    static func field(forHeader name: String) -> CSVField? {
        let key = name.lowercased()
        return allCases.first { $0.aliases.contains(key) }
    }
}

/// Where each known field sits in a row (−1 when absent).
struct CSVHeader {
    /// Column names as written.
    var names: [String]
    /// Column of each field, in `CSVField.allCases` order.
    var index: [Int]
    /// Columns of the hot fields, cached for the row loop.
    let date: Int, symbol: Int, open: Int, high: Int, low: Int, close: Int, adjustedClose: Int, volume: Int

    /// The column of `field`, if present.
    func column(_ field: CSVField) -> Int? {
        let i = index[Self.slot(field)]
        return i < 0 ? nil : i
    }

    /// The slot of a field in `index`.
    static func slot(_ field: CSVField) -> Int {
        switch field {
        case .date: return 0
        case .symbol: return 1
        case .open: return 2
        case .high: return 3
        case .low: return 4
        case .close: return 5
        case .adjustedClose: return 6
        case .volume: return 7
        }
    }

    /// Maps a header line; throws on missing or duplicated required columns (open, high and
    /// low: all three or none, or all three with `requiresOpenHighLow`).
    init(names raw: [String], requiresOpenHighLow: Bool = false) throws(CSVError) {
        names = raw
        var index = [Int](repeating: -1, count: CSVField.allCases.count)
        for (i, name) in raw.enumerated() {
            guard let field = CSVField.field(forHeader: name) else { continue }
            let slot = Self.slot(field)
            guard index[slot] < 0 else { throw .duplicateColumn(field.rawValue) }
            index[slot] = i
        }
        self.index = index
        (date, symbol, open, high, low) = (index[0], index[1], index[2], index[3], index[4])
        (close, adjustedClose, volume) = (index[5], index[6], index[7])
        for required in [CSVField.date, .close] where column(required) == nil {
            throw .missingColumn(required.rawValue, header: raw)
        }
        let ohl = [CSVField.open, .high, .low].filter { column($0) != nil }
        if (requiresOpenHighLow || !ohl.isEmpty) && ohl.count < 3 {
            let missing = [CSVField.open, .high, .low].first { column($0) == nil } ?? .open
            throw .missingColumn(missing.rawValue, header: raw)
        }
    }
}
