import Foundation
import Models
import TMFcgi
import Testing

@testable import Handlers

/// The backtest answer's trades written directly are the encoder's bytes exactly.
struct TradesJSONTests {
    /// `count` trades with values over many magnitudes, signs and shapes, some open, some
    /// without a return, read from JSON as the API reads them.
    static func trades(_ count: Int, seed: UInt64) throws -> [RunTrade] {
        var generator = SplitMix(seed: seed)
        let formatter = ISO8601DateFormatter()
        let specials: [Double] = [0, -0.0, 1, 100, 0.1, 1e-7, 1.5e-300, 123_456_789.125, 1e15, 1e16, 1e21, -2.5, 5e-324, 1.7976931348623157e308]
        func value() -> Double {
            let pick = generator.next() % 4
            if pick == 0 { return specials[Int(generator.next() % UInt64(specials.count))] }
            let mantissa = Double(generator.next() % 1_000_000_007) / 1_000_003
            let exponent = Double(Int(generator.next() % 40) - 20)
            return (pick == 1 ? -1 : 1) * mantissa * pow(10, exponent)
        }
        var items: [String] = []
        for k in 0..<count {
            let open = generator.next() % 5 == 0
            let entry = Int64(generator.next() % 4_000_000_000)
            var fields = [
                "\"seq\":\(k)", "\"symbol\":\"S\(k % 7)/ü\"", "\"side\":\"\(k % 2 == 0 ? "long" : "short")\"",
                "\"shares\":\(generator.next() % 1_000_000 + 1)", "\"entry_bar\":\(generator.next() % 200_000)",
                "\"entry_time\":\"\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(entry))))\"",
                "\"entry_price\":\(value())", "\"exit_price\":\(value())", "\"gross_pnl\":\(value())", "\"net_pnl\":\(value())",
                "\"commission\":\(value())", "\"bars_held\":\(generator.next() % 5000)", "\"open\":\(open)",
            ]
            if !open {
                fields.append("\"exit_bar\":\(generator.next() % 200_000)")
                fields.append("\"exit_time\":\"\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(entry + 60))))\"")
            }
            if generator.next() % 3 != 0 { fields.append("\"return\":\(value())") }
            items.append("{" + fields.joined(separator: ",") + "}")
        }
        return try JSONCoding.makeDecoder().decode([RunTrade].self, from: Data(("[" + items.joined(separator: ",") + "]").utf8))
    }

    @Test func theTradesAreTheEncodersBytes() throws {
        for (count, seed) in [(0, 1), (1, 2), (500, 3), (2000, 4)] as [(Int, UInt64)] {
            let trades = try Self.trades(count, seed: seed)
            let reference = Array(try JSONCoding.makeEncoder().encode(trades))
            let written = try #require(TradesJSON.encode(trades))
            #expect(
                written == reference,
                "\(String(decoding: written.prefix(400), as: UTF8.self)) vs \(String(decoding: reference.prefix(400), as: UTF8.self))")
        }
    }

    @Test func tradesItCannotWriteExactlyAreLeftToTheEncoder() throws {
        var trades = try Self.trades(3, seed: 9)
        trades[1].symbol = "A\"B"
        #expect(TradesJSON.encode(trades) == nil)
        trades = try Self.trades(3, seed: 9)
        trades[2].entryTime = Date(timeIntervalSince1970: 1.5)
        #expect(TradesJSON.encode(trades) == nil)
        trades = try Self.trades(3, seed: 9)
        trades[0].netPnl = .nan
        #expect(TradesJSON.encode(trades) == nil)
    }

    /// A small seeded generator (SplitMix64).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
