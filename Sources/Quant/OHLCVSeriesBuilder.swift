/// Collects the rows ``OHLCVCSVReader`` reads into the columns of a series, refusing a row
/// whose time does not increase (per symbol in long format).
struct OHLCVSeriesBuilder: OHLCVRowSink {
    private var timestamps: [Int64] = [], symbols: [String] = []
    private var open: [Double] = [], high: [Double] = [], low: [Double] = [], close: [Double] = []
    private var volume: [Double] = [], adjusted: [Double] = []
    private var lastTimestamp: Int64 = .min
    private var lastBySymbol: [String: Int64] = [:]
    private var hasOHL = false, hasVolume = false, hasAdjusted = false, hasSymbol = false

    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {
        let fields = Set((0..<reader.columns.count).compactMap(reader.field(ofColumn:)))
        hasOHL = fields.contains(.open)
        hasVolume = fields.contains(.volume)
        hasAdjusted = fields.contains(.adjustedClose)
        hasSymbol = fields.contains(.symbol)
    }

    mutating func take(_ row: OHLCVRow) -> String? {
        let ts = row.timestamp
        var symbol = ""
        if hasSymbol { symbol = String(decoding: row.symbol, as: UTF8.self) }
        let previous = hasSymbol ? (lastBySymbol[symbol] ?? .min) : lastTimestamp
        if ts <= previous {
            let reason = ts == previous ? "duplicate timestamp" : "timestamp out of order (earlier than the previous row)"
            return hasSymbol ? reason + " for \(symbol)" : reason
        }
        if hasSymbol {
            lastBySymbol[symbol] = ts
            symbols.append(symbol)
        } else {
            lastTimestamp = ts
        }
        timestamps.append(ts)
        close.append(row.close)
        if hasOHL {
            open.append(row.open)
            high.append(row.high)
            low.append(row.low)
        }
        if hasVolume { volume.append(row.volume) }
        if hasAdjusted { adjusted.append(row.adjustedClose) }
        return nil
    }

    /// The series of the rows taken.
    func build() -> OHLCVSeries {
        OHLCVSeries(
            unchecked: timestamps, open: hasOHL ? open : close, high: hasOHL ? high : close, low: hasOHL ? low : close,
            close: close, volume: hasVolume ? volume : [Double](repeating: 0, count: close.count),
            adjustedClose: hasAdjusted ? adjusted : nil, symbols: hasSymbol ? symbols : nil)
    }
}
