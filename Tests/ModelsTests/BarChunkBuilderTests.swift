import Foundation
import Testing

@testable import Models

/// The upload's chunk cutter: every bar lands in exactly one record, in time order per symbol,
/// chunks hold at most ``BarChunkBuilder/chunkBars`` bars, and a file of many interleaved
/// symbols is cut early once the buffers hold ``BarChunkBuilder/bufferedBars`` bars.
struct BarChunkBuilderTests {
    /// (symbol, first, last, count) of each record.
    static func records(_ bytes: [UInt8]) -> [(symbol: Int, first: Int64, last: Int64, count: Int)] {
        var out: [(Int, Int64, Int64, Int)] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                let symbol = Int(raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self))
                let payload = offset + 8
                // first_ts, last_ts (8-byte fields), bar_count (4 bytes), each after its 4-byte length.
                let first = Int64(bigEndian: raw.loadUnaligned(fromByteOffset: payload + 4, as: Int64.self))
                let last = Int64(bigEndian: raw.loadUnaligned(fromByteOffset: payload + 16, as: Int64.self))
                let count = Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: payload + 28, as: Int32.self)))
                out.append((symbol, first, last, count))
                offset = payload + length
            }
        }
        return out
    }

    @Test func everyBarLandsOnceInOrderAndManySymbolsAreCutEarly() {
        let symbols = 200
        let perSymbol = 6_000  // below a chunk: only the memory bound cuts before the end
        #expect(symbols * perSymbol > BarChunkBuilder.bufferedBars)
        var builder = BarChunkBuilder(hasExtras: false)
        var bytes: [UInt8] = []
        var beforeEnd = 0
        for i in 0..<perSymbol {
            for k in 0..<symbols {
                builder.append(symbol: k, ts: Int64(i * 60), open: 1, high: 2, low: 0.5, close: 1.5, volume: 0, extra: nil)
            }
            builder.take { bytes += $0 }
        }
        beforeEnd = Self.records(bytes).count
        builder.cutAll()
        builder.take { bytes += $0 }
        let records = Self.records(bytes)
        #expect(beforeEnd > 0, "the buffers were cut before the end of the file")
        #expect(records.allSatisfy { $0.count >= 1 && $0.count <= BarChunkBuilder.chunkBars && $0.last - $0.first == Int64(($0.count - 1) * 60) })
        for k in 0..<symbols {
            let mine = records.filter { $0.symbol == k }
            #expect(mine.reduce(0) { $0 + $1.count } == perSymbol, "symbol \(k)")
            #expect(mine.first?.first == 0 && mine.last?.last == Int64((perSymbol - 1) * 60), "symbol \(k)")
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $1.first == $0.last + 60 }, "symbol \(k): chunks follow each other")
        }
    }

    @Test func aFullBufferIsOneChunk() {
        var builder = BarChunkBuilder(hasExtras: true)
        var bytes: [UInt8] = []
        for i in 0..<(BarChunkBuilder.chunkBars * 2 + 5) {
            builder.append(symbol: 0, ts: Int64(i), open: 1, high: 1, low: 1, close: 1, volume: 1, extra: Array("{1.5,NULL}".utf8))
        }
        builder.cutAll()
        builder.take { bytes += $0 }
        #expect(Self.records(bytes).map(\.count) == [BarChunkBuilder.chunkBars, BarChunkBuilder.chunkBars, 5])
    }
}
