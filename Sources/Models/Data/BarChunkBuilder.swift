import PostgresClient

/// An upload's bars in order, gathered per symbol in column buffers and cut into `bar_chunks`
/// rows of ``chunkBars`` bars: each full buffer becomes one record (the chunk's fields in
/// `COPY … (FORMAT binary)` form, from `first_ts` on), handed on through ``take(into:)`` to
/// the upload's ``BarChunkSpill``. The buffers of all symbols together hold at most
/// ``bufferedBars`` bars (48 MB): past that the fullest one is cut early, so a file of
/// thousands of interleaved symbols stays within that memory (with shorter chunks).
struct BarChunkBuilder {
    /// Bars per chunk (measured in `bench/data/README.md`).
    static let chunkBars = 8_192
    /// The most bars held in all buffers together.
    static let bufferedBars = 1 << 20

    private struct Buffer {
        var ts: [Int64] = []
        var open: [Double] = []
        var high: [Double] = []
        var low: [Double] = []
        var close: [Double] = []
        var volume: [Double] = []
        /// Each bar's extras as an array literal (`{1.5,NULL}`), when the file has extra columns.
        var extra: [[UInt8]?] = []
    }

    private var buffers: [Buffer] = []
    private var buffered = 0
    private var out: [UInt8] = []
    /// Whether the bars carry extra columns.
    private let hasExtras: Bool

    init(hasExtras: Bool) {
        self.hasExtras = hasExtras
    }

    /// Adds a bar of symbol `k` (an index of ``BarStatistics``); its times increase.
    mutating func append(symbol k: Int, ts: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double, extra: [UInt8]?) {
        while buffers.count <= k { buffers.append(Buffer()) }
        buffers[k].ts.append(ts)
        buffers[k].open.append(open)
        buffers[k].high.append(high)
        buffers[k].low.append(low)
        buffers[k].close.append(close)
        buffers[k].volume.append(volume)
        if hasExtras { buffers[k].extra.append(extra) }
        buffered += 1
        if buffers[k].ts.count >= Self.chunkBars {
            cut(k)
        } else if buffered > Self.bufferedBars, let fullest = buffers.indices.max(by: { buffers[$0].ts.count < buffers[$1].ts.count }) {
            cut(fullest)
        }
    }

    /// Cuts every buffer that holds bars (the end of the file).
    mutating func cutAll() {
        for k in buffers.indices where !buffers[k].ts.isEmpty { cut(k) }
    }

    /// Hands the finished records to `sink` (nothing when there are none).
    mutating func take(into sink: ([UInt8]) throws -> Void) rethrows {
        guard !out.isEmpty else { return }
        try sink(out)
        out.removeAll(keepingCapacity: true)
    }

    /// Appends buffer `k` as one record: the symbol index and the payload's length (4 bytes
    /// each, this machine's order), then the fields `first_ts, last_ts, bar_count, ts, open,
    /// high, low, close, volume, extra`, each as binary COPY has it (length, then bytes).
    private mutating func cut(_ k: Int) {
        let buffer = buffers[k]
        buffers[k] = Buffer()
        buffered -= buffer.ts.count
        guard let first = buffer.ts.first, let last = buffer.ts.last else { return }
        // The record's fields, without the tuple's field count (the spill writes it with the
        // dataset id and the symbol in front).
        var payload = CopyTuple()
        payload.append(first)
        payload.append(last)
        payload.append(Int32(buffer.ts.count))
        for array in [
            BinaryArray(buffer.ts), BinaryArray(buffer.open), BinaryArray(buffer.high), BinaryArray(buffer.low),
            BinaryArray(buffer.close), BinaryArray(buffer.volume),
        ] {
            payload.append(bytes: array.sqlBytes)
        }
        payload.append(bytes: hasExtras ? BinaryArray(texts: buffer.extra).sqlBytes : nil)
        withUnsafeBytes(of: Int32(k)) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: Int32(payload.bytes.count)) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload.bytes)
    }
}
