/// The fast lane for the usual layouts, `date,open,high,low,close,volume` and (long)
/// `date,symbol,open,high,low,close,volume`: the general lane's row loop (``OHLCVRowReader``'s
/// `fastRows`) with the columns' roles known in advance, so no field asks which column it is.
/// It takes the same rows, with the same values, fields and checks, and stops at the same line.
protocol PlainLayout {
    /// Whether the second column is the symbol.
    static var hasSymbol: Bool { get }
}

/// `date,open,high,low,close,volume`.
enum WideLayout: PlainLayout {
    static var hasSymbol: Bool { false }
}

/// `date,symbol,open,high,low,close,volume` (the symbol column under any of its names).
enum LongLayout: PlainLayout {
    static var hasSymbol: Bool { true }
}

extension Bool {
    /// Both, without a branch.
    @inline(__always)
    fileprivate static func & (a: Bool, b: Bool) -> Bool { (UInt8(a ? 1 : 0) & UInt8(b ? 1 : 0)) != 0 }
}

extension OHLCVRowReader {
    /// The plain layout whose roles `roles` are (see ``OHLCVRowReader/roles``), if any.
    static func plainLayout(of roles: [UInt8]) -> PlainLayout.Type? {
        if roles == [1, 3, 4, 5, 6, 8] { return WideLayout.self }
        if roles == [1, 2, 3, 4, 5, 6, 8] { return LongLayout.self }
        return nil
    }

    /// A number field at `b[i...]` that the checks accept (a finite positive price or, with
    /// `volume`, a volume not negative) and the index after it, or nil.
    /// The value is not yet checked: the row loop checks the row's values together, after the
    /// last (the checks wait for the divisions; one branch a row, not two a field).
    /// The usual form (`DecimalParser.scanPlain`) inline, any other out of line.
    @inline(__always)
    private static func plainNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> (Double, Int)? {
        if let plain = DecimalParser.scanPlain(b, i) { return plain }
        return otherNumber(b, i, n)
    }

    /// `plainNumber` for a field of another form (a sign, more digits, an exponent, the
    /// buffer's last bytes).
    @inline(never)
    private static func otherNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> (Double, Int)? {
        let (parsed, end) = DecimalParser.scan(b, i, n)
        guard let value = parsed, end > i, end < n else { return nil }
        return (value, end)
    }

    /// `fastRows` for the layout `Layout`: reads complete plain rows from `from` straight into
    /// `sink` and returns where it stopped (the start of the first line it did not take, or
    /// `b.count`).
    mutating func plainRows<Sink: OHLCVRowSink, Layout: PlainLayout>(
        _ b: UnsafeBufferPointer<UInt8>, from: Int, _ sink: inout Sink, _ layout: Layout.Type
    ) -> Int {
        let n = b.count
        var ranges = fields
        fields = []  // the only reference while the rows are read: no copy
        var start = from
        var read = 0
        let first = Layout.hasSymbol ? 2 : 1
        // The date's range is always kept (a refusal is reported there).
        let keepsRanges = Layout.hasSymbol || Sink.readsNumberFields
        ranges.withUnsafeMutableBufferPointer { field in
            rows: while start < n {
                var i = start
                guard let (t, dateEnd) = fastDate(b, i, n), t >= Self.earliest, dateEnd < n, b[dateEnd] == 44 else { break }
                field[0] = i..<dateEnd
                i = dateEnd + 1
                if Layout.hasSymbol {
                    guard let end = Self.plainSymbolEnd(b, i), end < n, b[end] == 44 else { break }
                    field[1] = i..<end
                    i = end + 1
                }
                // The four prices, written out (a loop over them was not unrolled).
                guard let (o, openEnd) = Self.plainNumber(b, i, n), b[openEnd] == 44 else { break }
                if keepsRanges { field[first] = i..<openEnd }
                i = openEnd &+ 1
                guard let (h, highEnd) = Self.plainNumber(b, i, n), b[highEnd] == 44 else { break }
                if keepsRanges { field[first &+ 1] = i..<highEnd }
                i = highEnd &+ 1
                guard let (l, lowEnd) = Self.plainNumber(b, i, n), b[lowEnd] == 44 else { break }
                if keepsRanges { field[first &+ 2] = i..<lowEnd }
                i = lowEnd &+ 1
                guard let (c, closeEnd) = Self.plainNumber(b, i, n), b[closeEnd] == 44 else { break }
                if keepsRanges { field[first &+ 3] = i..<closeEnd }
                i = closeEnd &+ 1
                guard let (volume, end) = Self.plainNumber(b, i, n) else { break }
                if keepsRanges { field[first + 4] = i..<end }
                if b[end] == 10 {
                    i = end + 1
                } else if b[end] == 13, end + 1 < n, b[end + 1] == 10 {
                    i = end + 2
                } else {
                    break
                }
                var values = OHLCVRowValues()
                (values.timestamp, values.volume) = (t, volume)
                (values.open, values.high, values.low, values.close) = (o, h, l, c)
                // Finite positive prices (NaN fails every comparison), a finite volume not
                // negative, high and low around open and close: one branch.
                let positive = (o > 0) & (h > 0) & (l > 0) & (c > 0) & (volume >= 0)
                let finite = (h < .infinity) & (volume < .infinity)
                let consistent = (h >= max(o, c)) & (l <= min(o, c))
                guard positive & finite & consistent else { break }
                line += 1
                let refusal = sink.take(
                    values.row(
                        line: line, hasOHL: true, bytes: b, fields: UnsafeBufferPointer(field),
                        extras: UnsafeBufferPointer(start: nil, count: 0), symbolColumn: Layout.hasSymbol ? 1 : nil))
                tally(refusal, b, field[0], 0)
                start = i
                read += 1
                if read == 64 { sink.expect(rows: (n - start) / ((start - from) / 64 + 1) + 1) }
            }
        }
        fields = ranges
        return start
    }
}
