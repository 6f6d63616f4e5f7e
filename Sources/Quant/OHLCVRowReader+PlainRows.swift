internal import CByteScan

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

    /// ``plainNumber(_:_:_:)`` for the field `b[i..<end]`, whose end (a comma or line end) is known: its
    /// value when the number is the whole field.
    @inline(__always)
    private static func plainField(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Double? {
        guard let (value, stop) = plainNumber(b, i, b.count), stop == end else { return nil }
        return value
    }

    /// The separators and plain bytes of the rest of a row from `b[p...]`, found in one 64-byte
    /// search (see `tm_separators64`), the commas cut to those before the line feed, and the
    /// line feed's offset; nil unless `b` has 80 bytes from `p` (the 64 searched and the number
    /// fields' eight-byte reads past them) with a line feed among the first 64.
    @inline(__always)
    private static func separators(_ b: UnsafeBufferPointer<UInt8>, _ p: Int) -> (tm_separators, Int)? {
        guard let base = b.baseAddress, b.count &- p >= 80 else { return nil }
        var found = tm_separators64(base + p)
        let line = found.lines.trailingZeroBitCount
        guard line < 64 else { return nil }
        found.commas &= (1 &<< UInt64(truncatingIfNeeded: line)) &- 1
        return (found, line)
    }

    /// The form of the number field at offsets `start..<end` of a search whose dots are `dots`:
    /// its integer and fraction digit counts, and whether they are the usual form's (1 to 7
    /// integer digits, then none or a dot and 1 to 7 fraction digits, no second dot). With every
    /// byte a digit or a dot, that is the form ``DecimalParser/scanPlain(_:_:)`` reads.
    @inline(__always)
    private static func plainForm(_ dots: UInt64, _ start: Int, _ end: Int) -> (Int, Int, Bool) {
        let length = end &- start
        let after = dots &>> UInt64(truncatingIfNeeded: start)
        let dot = after.trailingZeroBitCount
        let hasDot = dot < length
        let intCount = hasDot ? dot : length
        let fracCount = hasDot ? length &- dot &- 1 : 0
        let oneDot = (after & (after &- 1)).trailingZeroBitCount >= length
        let usual = (UInt(bitPattern: intCount &- 1) < 7) & (UInt(bitPattern: fracCount &- (hasDot ? 1 : 0)) < 7) & oneDot
        return (intCount, fracCount, usual)
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
                // The prices and the volume: their fields' ends from one 64-byte separator
                // search when the rest of the row fits (the fields then parse independently,
                // not each waiting for the previous one's end), else field after field.
                let o: Double
                let h: Double
                let l: Double
                let c: Double
                let volume: Double
                if let (found, lineEnd) = Self.separators(b, i) {
                    // The commas' offsets in order (64 for one missing).
                    var e = found.commas
                    if Layout.hasSymbol {
                        let end = i &+ e.trailingZeroBitCount
                        guard Self.plainSymbolEnd(b, i) == end else { break }
                        field[1] = i..<end
                        e &= e &- 1
                    }
                    let p = Layout.hasSymbol ? field[1].upperBound &+ 1 : i
                    let e0 = i &+ e.trailingZeroBitCount
                    e &= e &- 1
                    let e1 = i &+ e.trailingZeroBitCount
                    e &= e &- 1
                    let e2 = i &+ e.trailingZeroBitCount
                    e &= e &- 1
                    let e3 = i &+ e.trailingZeroBitCount
                    // Other than five fields (too few commas or too many): not a row the
                    // field-after-field loop takes either.
                    guard e & (e &- 1) == 0, e3 < i &+ lineEnd else { break }
                    let line = i &+ lineEnd
                    let e4 = b[line &- 1] == 13 ? line &- 1 : line
                    // Every byte of the five numbers a digit, a comma or a dot, and each number of
                    // the usual form (all checked on the masks at once): their values straight;
                    // else field by field (the same values, or the row left to the general path).
                    let (oi, of, oUsual) = Self.plainForm(found.dots, p &- i, e0 &- i)
                    let (hi, hf, hUsual) = Self.plainForm(found.dots, e0 &+ 1 &- i, e1 &- i)
                    let (li, lf, lUsual) = Self.plainForm(found.dots, e1 &+ 1 &- i, e2 &- i)
                    let (ci, cf, cUsual) = Self.plainForm(found.dots, e2 &+ 1 &- i, e3 &- i)
                    let (vi, vf, vUsual) = Self.plainForm(found.dots, e3 &+ 1 &- i, e4 &- i)
                    let span = ((1 &<< UInt64(truncatingIfNeeded: e4 &- i)) &- 1) & ~((1 &<< UInt64(truncatingIfNeeded: p &- i)) &- 1)
                    let o0: Double
                    let h0: Double
                    let l0: Double
                    let c0: Double
                    let v0: Double
                    if (~found.plain & span == 0) & oUsual & hUsual & lUsual & cUsual & vUsual, let base = b.baseAddress {
                        o0 = DecimalParser.plainValue(base, p, intCount: oi, fracCount: of)
                        h0 = DecimalParser.plainValue(base, e0 &+ 1, intCount: hi, fracCount: hf)
                        l0 = DecimalParser.plainValue(base, e1 &+ 1, intCount: li, fracCount: lf)
                        c0 = DecimalParser.plainValue(base, e2 &+ 1, intCount: ci, fracCount: cf)
                        v0 = DecimalParser.plainValue(base, e3 &+ 1, intCount: vi, fracCount: vf)
                    } else {
                        guard let o1 = Self.plainField(b, p, e0), let h1 = Self.plainField(b, e0 &+ 1, e1),
                            let l1 = Self.plainField(b, e1 &+ 1, e2), let c1 = Self.plainField(b, e2 &+ 1, e3),
                            let v1 = Self.plainField(b, e3 &+ 1, e4)
                        else { break }
                        (o0, h0, l0, c0, v0) = (o1, h1, l1, c1, v1)
                    }
                    if keepsRanges {
                        field[first] = p..<e0
                        field[first &+ 1] = e0 &+ 1..<e1
                        field[first &+ 2] = e1 &+ 1..<e2
                        field[first &+ 3] = e2 &+ 1..<e3
                        field[first &+ 4] = e3 &+ 1..<e4
                    }
                    (o, h, l, c, volume) = (o0, h0, l0, c0, v0)
                    i = line &+ 1
                } else {
                    if Layout.hasSymbol {
                        guard let end = Self.plainSymbolEnd(b, i), end < n, b[end] == 44 else { break }
                        field[1] = i..<end
                        i = end + 1
                    }
                    // The four prices, written out (a loop over them was not unrolled).
                    guard let (o0, openEnd) = Self.plainNumber(b, i, n), b[openEnd] == 44 else { break }
                    if keepsRanges { field[first] = i..<openEnd }
                    i = openEnd &+ 1
                    guard let (h0, highEnd) = Self.plainNumber(b, i, n), b[highEnd] == 44 else { break }
                    if keepsRanges { field[first &+ 1] = i..<highEnd }
                    i = highEnd &+ 1
                    guard let (l0, lowEnd) = Self.plainNumber(b, i, n), b[lowEnd] == 44 else { break }
                    if keepsRanges { field[first &+ 2] = i..<lowEnd }
                    i = lowEnd &+ 1
                    guard let (c0, closeEnd) = Self.plainNumber(b, i, n), b[closeEnd] == 44 else { break }
                    if keepsRanges { field[first &+ 3] = i..<closeEnd }
                    i = closeEnd &+ 1
                    guard let (v0, end) = Self.plainNumber(b, i, n) else { break }
                    if keepsRanges { field[first + 4] = i..<end }
                    if b[end] == 10 {
                        i = end + 1
                    } else if b[end] == 13, end + 1 < n, b[end + 1] == 10 {
                        i = end + 2
                    } else {
                        break
                    }
                    (o, h, l, c, volume) = (o0, h0, l0, c0, v0)
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
