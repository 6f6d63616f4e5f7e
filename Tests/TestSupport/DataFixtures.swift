import Foundation

/// Price files, multipart bodies and CSV reading for the market-data tests.
public enum DataFixtures {
    /// A deterministic generator (an LCG), so files are reproducible.
    public struct Generator {
        public var state: UInt64

        /// A generator seeded with `state`.
        public init(state: UInt64) { self.state = state }

        /// The next number in [0, 1).
        public mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// One parsed bar of a file.
    public struct Bar: Equatable {
        public var date: String
        public var symbol: String
        public var values: [String: Double?]
    }

    /// A wide daily file of `count` business days from 2020-01-01, one row per weekday.
    public static func wideDaily(count: Int, seed: UInt64 = 1, volume: Bool = true) -> (text: String, dates: [String]) {
        var random = Generator(state: seed)
        var lines = ["date,open,high,low,close" + (volume ? ",volume" : "")]
        var dates: [String] = []
        var day = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd"
        format.timeZone = TimeZone(identifier: "UTC")
        var price = 100.0
        while dates.count < count {
            let weekday = calendar.component(.weekday, from: day)
            if weekday != 1 && weekday != 7 {
                let open = price
                let close = max(1, price * (1 + (random.next() - 0.5) * 0.04))
                let high = max(open, close) * (1 + random.next() * 0.01)
                let low = min(open, close) * (1 - random.next() * 0.01)
                let text = format.string(from: day)
                dates.append(text)
                var line = "\(text),\(round4(open)),\(round4(max(high, open, close))),\(round4(min(low, open, close))),\(round4(close))"
                if volume { line += ",\(Int(random.next() * 10_000))" }
                lines.append(line)
                price = close
            }
            day = day.addingTimeInterval(86_400)
        }
        return (lines.joined(separator: "\n") + "\n", dates)
    }

    /// Rounded to 4 decimals, as text the file carries (so high ≥ open holds after rounding too).
    public static func round4(_ value: Double) -> String { String(format: "%.4f", value) }

    /// A long TradeMaster-style file: `date,tic,open,high,low,close,adjcp,zopen,volume` for
    /// `symbols` over `days` dates, rows shuffled when `shuffled`.
    public static func longTradeMaster(symbols: [String], days: Int, shuffled: Bool = true) -> String {
        var random = Generator(state: 42)
        var rows: [String] = []
        for (k, symbol) in symbols.enumerated() {
            var price = 50.0 + Double(k) * 10
            for d in 0..<days {
                let date = String(format: "2021-03-%02d", d + 1)
                let open = price
                let close = max(1, price * (1 + (random.next() - 0.5) * 0.05))
                let high = max(open, close) + 0.5
                let low = min(open, close) - 0.25
                let zopen = d == 0 ? "" : round4(open / price - 1)
                rows.append(
                    "\(date),\(symbol),\(round4(open)),\(round4(high)),\(round4(low)),\(round4(close)),\(round4(close * 0.98)),\(zopen),\(Int(random.next() * 1e6))"
                )
                price = close
            }
        }
        if shuffled {
            var random = Generator(state: 7)
            for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, Int(random.next() * Double(i + 1))) }
        }
        return (["date,tic,open,high,low,close,adjcp,zopen,volume"] + rows).joined(separator: "\n") + "\n"
    }

    /// Parses a CSV text into bars keyed by date and symbol (`symbol` for wide files).
    public static func parse(_ text: String, symbol: String = "") -> [Bar] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var bar = Bar(date: "", symbol: symbol, values: [:])
            for (name, field) in zip(header, fields) {
                switch name {
                case "date": bar.date = String(field.prefix(10))
                case "tic", "symbol": bar.symbol = field
                default: bar.values[name] = field.isEmpty ? Optional<Double>.none : Double(field)
                }
            }
            return bar
        }.sorted { ($0.date, $0.symbol) < ($1.date, $1.symbol) }
    }

    /// A multipart/form-data body with `fields` and a file part.
    public static func multipart(
        fields: [(String, String)], file: [UInt8]?, filename: String = "AAPL.csv",
        contentType: String = "text/csv", boundary: String = "tm-boundary-7d3f"
    ) -> (body: [UInt8], contentType: String) {
        var body: [UInt8] = []
        body += Array("preamble to ignore\r\n".utf8)
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n"
                    .utf8)
            body += file
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// One value from the stack's PostgreSQL.
    public static func sql(_ stack: TestStack, _ query: String) throws -> String {
        try stack.sql(query)
    }
}
