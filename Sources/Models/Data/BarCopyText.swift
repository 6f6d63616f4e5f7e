import Quant

/// Turns the rows ``BarFileParser`` reads into what the upload stores: while every symbol's
/// times increase, column chunks for `bar_chunks` (``BarChunkBuilder``'s records), with the
/// summary's statistics accumulated on the way; from the first row out of order on, `COPY`
/// text for the staging table (the line number first).
struct BarCopyText: OHLCVRowSink {
    /// What each column of the file holds.
    private(set) var columns: [DatasetColumn] = []
    /// Where rows go now.
    private(set) var target = BarFileParser.Target.stage
    /// The summary statistics of the rows written to `bars` in order.
    private(set) var statistics = BarStatistics(extras: 0)

    /// Whether rows go to a dataset's `bars` while in order (else all to the staging table).
    private var direct = false, hasSymbol = false
    /// The wide file's symbol, as COPY text.
    private var wideBytes: [UInt8] = []
    /// The chunks of the rows in order, and staging text not yet handed on.
    private var chunks = BarChunkBuilder(hasExtras: false), stageOut: [UInt8] = []
    /// The columns of open, high, low and close, of the volume if any, and the extra ones.
    private var priceColumns: [Int] = [], volumeColumn: Int?, extraColumns: [Int] = []

    /// Writes rows in order straight to the `bars` of dataset `id`, a wide file's as `wideSymbol`.
    mutating func start(dataset id: Int64, wideSymbol: String) {
        direct = true
        target = .bars
        wideBytes = []
        Array(wideSymbol.utf8).withUnsafeBufferPointer { Self.appendEscaped($0, to: &wideBytes) }
    }

    /// Hands what was written since the last call to `sink`: finished chunks first.
    mutating func flush(into sink: ([UInt8], BarFileParser.Target) throws -> Void) throws {
        try chunks.take { try sink($0, .bars) }
        if !stageOut.isEmpty {
            try sink(stageOut, .stage)
            stageOut.removeAll(keepingCapacity: true)
        }
    }

    /// Checks the names the dataset stores (1 to 64 characters, each once) and maps the roles.
    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {
        var names: Set<String> = []
        for (k, name) in reader.columns.enumerated() {
            guard !name.isEmpty, name.unicodeScalars.count <= 64,
                !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw .badHeader("Header column \(k + 1) must be a name of 1 to 64 characters.")
            }
            guard names.insert(name.lowercased()).inserted else { throw .badHeader("The header names the column \(name) twice.") }
            columns.append(DatasetColumn(name: name, role: Self.role(reader.field(ofColumn: k))))
        }
        extraColumns = columns.indices.filter { columns[$0].role == .extra }
        priceColumns = [DatasetColumn.Role.open, .high, .low, .close].compactMap { role in columns.firstIndex { $0.role == role } }
        volumeColumn = columns.firstIndex { $0.role == .volume }
        hasSymbol = columns.contains { $0.role == .symbol }
        statistics = BarStatistics(extras: extraColumns.count)
        chunks = BarChunkBuilder(hasExtras: !extraColumns.isEmpty)
        if !hasSymbol { _ = statistics.symbolIndex(UnsafeBufferPointer(start: nil, count: 0)) }
    }

    private static func role(_ field: CSVField?) -> DatasetColumn.Role {
        switch field {
        case .date: .date
        case .symbol: .symbol
        case .open: .open
        case .high: .high
        case .low: .low
        case .close: .close
        case .volume: .volume
        case .adjustedClose, nil: .extra
        }
    }

    mutating func take(_ row: OHLCVRow) -> String? {
        if target == .bars {
            let k = hasSymbol ? statistics.symbolIndex(row.symbol) : 0
            if statistics.follows(k, row.timestamp) {
                statistics.add(k, ts: row.timestamp, open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume)
                for e in 0..<row.extras.count where !row.extras[e].isNaN { statistics.addExtra(e, row.extras[e]) }
                chunks.append(
                    symbol: k, ts: row.timestamp, open: row.open, high: row.high, low: row.low, close: row.close,
                    volume: volumeColumn == nil ? 0 : row.volume, extra: extraColumns.isEmpty ? nil : Self.extraLiteral(row.extras))
                return nil
            }
            // Out of order: what is written so far goes to bars, the rest to the staging table.
            target = .stage
            statistics.markOutOfOrder()
        }
        append(row, to: &stageOut)
        return nil
    }

    /// Cuts the last chunks (the end of the file).
    mutating func endOfFile() {
        chunks.cutAll()
    }

    /// The extras as an array literal (`{1.5,NULL}`): each value in Swift's shortest form,
    /// which PostgreSQL's `float8in` reads back to the same double.
    private static func extraLiteral(_ extras: UnsafeBufferPointer<Double>) -> [UInt8] {
        var text = "{"
        for (e, value) in extras.enumerated() {
            if e > 0 { text += "," }
            text += value.isNaN ? "NULL" : "\(value)"
        }
        text += "}"
        return Array(text.utf8)
    }

    /// Appends the row's COPY line; numbers go to PostgreSQL as written (float8 input is
    /// correctly rounded, like Quant's parser).
    private func append(_ row: OHLCVRow, to out: inout [UInt8]) {
        Self.appendInteger(Int64(row.line), to: &out)
        out.append(9)
        if hasSymbol {
            Self.appendEscaped(row.symbol, to: &out)
        } else if direct {
            out.append(contentsOf: wideBytes)
        }
        out.append(9)
        Self.appendInteger(row.timestamp, to: &out)
        for k in priceColumns {
            out.append(9)
            out.append(contentsOf: row.field(k))
        }
        out.append(9)
        if let volumeColumn { out.append(contentsOf: row.field(volumeColumn)) } else { out.append(48) }
        out.append(9)
        if extraColumns.isEmpty {
            out.append(contentsOf: [92, 78])
        } else {
            out.append(123)
            for (e, k) in extraColumns.enumerated() {
                if e > 0 { out.append(44) }
                if row.extras[e].isNaN { out.append(contentsOf: [78, 85, 76, 76]) } else { out.append(contentsOf: row.field(k)) }
            }
            out.append(125)
        }
        out.append(10)
    }

    /// Appends `value` in decimal.
    private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(45) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Appends `bytes` escaped for COPY's text format (control characters are refused earlier).
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 92 || $0 < 32 }) else { return out.append(contentsOf: bytes) }
        for byte in bytes {
            switch byte {
            case 92: out += [92, 92]
            case 9: out += [92, 116]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            default: out.append(byte)
            }
        }
    }
}
