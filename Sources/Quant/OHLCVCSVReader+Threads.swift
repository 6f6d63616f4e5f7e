#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OHLCVCSVReader {
    /// ``parse(_:)-([UInt8])`` on `threads` threads: the rows cut at line ends into as many parts,
    /// each read (with the header) by a reader of its own, the columns joined in order.
    ///
    /// The same series as ``parse(_:)-([UInt8])``, bit for bit; and, for a file with any bad row,
    /// a part that ends out of order with the next, a long-format file (a symbol column), a
    /// header that is not the first line, or fewer than 1 MiB, the same error: those are read
    /// again (or only) on the calling thread, so the issues and line numbers are the one
    /// reader's. For a tool with cores to spare (a benchmark, the command line); the server's
    /// processes already share the cores and use ``parse(_:)-([UInt8])``.
    public static func parse(_ bytes: [UInt8], threads: Int) throws(CSVError) -> OHLCVSeries {
        guard threads > 1, bytes.count >= 1 << 20, let (probe, body) = headerReader(bytes),
            !(0..<probe.columns.count).contains(where: { probe.field(ofColumn: $0) == .symbol })
        else { return try parse(bytes) }
        // The parts: from after the header, cut at the first line end past each even share.
        var cuts = [body]
        for k in 1..<threads {
            let target = max(cuts[cuts.count - 1], body + k * (bytes.count - body) / threads)
            guard let newline = bytes[target...].firstIndex(of: 10), newline + 1 < bytes.count else { break }
            cuts.append(newline + 1)
        }
        cuts.append(bytes.count)
        let parts = cuts.count - 1
        // The first part's columns take the others' rows: room for all (by the first row's length).
        let firstRow = (bytes[body...].firstIndex(of: 10) ?? bytes.count) - body + 1
        // Each part's series (nil when its reader threw), written by its own thread only, each in
        // a slot of its own (not elements of one shared array: no two threads write one value).
        let results = UnsafeMutableBufferPointer<OHLCVSeries?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        bytes.withUnsafeBufferPointer { all in
            let whole = UnsafeBufferPointer(rebasing: all[...])
            let read = { (k: Int) in
                let room = k == 0 ? (bytes.count - body) / firstRow + 1 : 0
                do {
                    // A usual-layout part straight into its columns, any other through the builder.
                    let part = UnsafeBufferPointer(rebasing: whole[cuts[k]..<cuts[k + 1]])
                    if let series = try OHLCVColumnWriter.series(of: part, reader: probe, room: room) {
                        results[k] = series
                        return
                    }
                    var reader = OHLCVCSVReader()
                    try reader.feed(UnsafeBufferPointer(rebasing: whole[0..<body]))
                    reader.reserve(rows: room)
                    try reader.feed(part)
                    results[k] = try reader.finish()
                } catch {
                    results[k] = nil
                }
            }
            let workers = (1..<parts).map { k in Worker.start { read(k) } }
            read(0)
            for worker in workers { worker?.join() }
        }
        // Any failure, or parts out of order at a cut: the one reader's answer and messages.
        var series = results.compactMap { $0 }
        for k in 0..<parts { results[k] = nil }
        guard series.count == parts, !series.contains(where: \.isEmpty) else { return try parse(bytes) }
        for k in 1..<parts where series[k].timestamps[0] <= series[k - 1].timestamps[series[k - 1].count - 1] {
            return try parse(bytes)
        }
        return OHLCVSeries(joining: &series)
    }
}

extension OHLCVSeries {
    /// The rows of `parts` one after the other, appended to the first part's columns (taken
    /// out of `parts`, so not copied when they have room), three columns on another thread.
    /// None has symbols; all have or lack the adjusted close alike, as parts of one file.
    init(joining parts: inout [OHLCVSeries]) {
        let empty = OHLCVSeries(unchecked: [], open: [], high: [], low: [], close: [], volume: [], adjustedClose: nil, symbols: nil)
        var joined = parts[0]
        parts[0] = empty
        let rest = parts.dropFirst()
        var (timestamps, open, high) = (joined.timestamps, joined.open, joined.high)
        (joined.timestamps, joined.open, joined.high) = ([], [], [])
        let worker = Worker.start {
            for part in rest {
                timestamps.append(contentsOf: part.timestamps)
                open.append(contentsOf: part.open)
                high.append(contentsOf: part.high)
            }
        }
        for part in rest {
            joined.low.append(contentsOf: part.low)
            joined.close.append(contentsOf: part.close)
            joined.volume.append(contentsOf: part.volume)
            if joined.adjustedClose != nil { joined.adjustedClose?.append(contentsOf: part.adjustedClose ?? []) }
        }
        worker?.join()
        (joined.timestamps, joined.open, joined.high) = (timestamps, open, high)
        self = joined
    }
}

/// A POSIX thread running one closure, joined by its starter.
private struct Worker {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread (or runs it here, should no thread start).
    static func start(_ body: @escaping () -> Void) -> Worker? {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                body.run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.takeRetainedValue().run()
            return nil
        }
        return Worker(thread: thread)
    }

    /// Waits for the thread's end.
    func join() { pthread_join(thread, nil) }
}
