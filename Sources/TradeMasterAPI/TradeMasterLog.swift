import Foundation

/// Reading the service's `info` log: it has no percentage and no structured result, only
/// lines such as `Train Episode: [3/20]`, `Valid Episode: [3/20]`, a `Traceback` when the
/// job crashed, and metrics tables (`| Total Return | Sharp Ratio | … |` then a row of
/// values with `%`). Its cleaning cuts any line containing `m ` to the text after the last
/// `m `, so a marker may be missing from some lines: the latest readable one counts.
public struct TradeMasterLog: Sendable {
    /// The log's lines.
    public let lines: [String]

    /// The log of `info`.
    public init(_ info: String) {
        lines = info.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
    }

    /// A `[k/N]` progress marker.
    public struct Episode: Sendable, Equatable {
        /// The episode reached.
        public var index: Int
        /// Episodes in all.
        public var total: Int
    }

    /// The latest `Train Episode: [k/N]`.
    public var trainEpisode: Episode? { lastEpisode(marker: "Train Episode:") }

    /// The latest `Valid Episode: [k/N]`.
    public var validEpisode: Episode? { lastEpisode(marker: "Valid Episode:") }

    /// Episodes finished per phase. The service prints `Train Episode: [k/N]` when episode k
    /// starts, then (when the episode ends) its metrics table, then `Valid Episode: [k/N]`
    /// and the validation's table: a phase's episode is complete once its table is read or
    /// the next marker appears, so the episode in progress is not counted.
    public struct Completion: Sendable, Equatable {
        /// Train episodes finished.
        public var train: Int
        /// Validation episodes finished.
        public var valid: Int
        /// Episodes per phase (`N`).
        public var total: Int
    }

    /// The episodes finished, or nil before the first marker.
    public var completion: Completion? {
        var last: (phase: String, episode: Episode)?
        var tableAfterLast = false
        var train = 0
        var valid = 0
        var total = 0
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if let e = Self.episode(in: line, marker: "Train Episode:") {
                // Episode k starts after episode k − 1's validation.
                train = max(train, e.index - 1)
                valid = max(valid, e.index - 1)
                (last, tableAfterLast, total) = (("train", e), false, e.total)
            } else if let e = Self.episode(in: line, marker: "Valid Episode:") {
                train = max(train, e.index)
                valid = max(valid, e.index - 1)
                (last, tableAfterLast, total) = (("valid", e), false, e.total)
            } else if last != nil, Self.cells(line) != nil {
                tableAfterLast = true
            }
            index += 1
        }
        guard let last else { return nil }
        if tableAfterLast {
            if last.phase == "train" { train = max(train, last.episode.index) } else { valid = max(valid, last.episode.index) }
        }
        return Completion(train: min(train, total), valid: min(valid, total), total: total)
    }

    /// Progress of a training run in 0...1: finished train and validation episodes count
    /// half each (the one in progress does not count).
    public var progress: Double {
        guard let done = completion, done.total > 0 else { return 0 }
        return min(1, Double(done.train + done.valid) / Double(2 * done.total))
    }

    /// An argument error of a script that exited before doing anything (argparse's
    /// `usage: …` then `prog: error: unrecognized arguments: …`): that error line. Such a
    /// process ends without a `Traceback` and never sets its end flag.
    public var usageError: String? {
        guard let usage = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("usage:") }) else { return nil }
        guard let error = lines[usage...].first(where: { $0.contains(": error: ") }) else { return nil }
        return String(error.trimmingCharacters(in: .whitespaces).prefix(300))
    }

    /// The last non-empty line, trimmed (the reason shown when a run stops without a crash).
    public var lastLine: String? {
        lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { String($0.trimmingCharacters(in: .whitespaces).prefix(300)) }
    }

    /// The crash, when the log holds a `Traceback`: its last non-empty line (the exception).
    public var crash: String? {
        guard let start = lines.lastIndex(where: { $0.contains("Traceback") }) else { return nil }
        let after = lines[start...].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "Traceback"
        return String(after.trimmingCharacters(in: .whitespaces).prefix(300))
    }

    /// The last `n` lines.
    public func tail(_ n: Int) -> [String] {
        var end = lines.count
        while end > 0, lines[end - 1].isEmpty { end -= 1 }
        return Array(lines[..<end].suffix(n))
    }

    /// Every metrics table, in log order, with the episode marker that preceded it.
    public var tables: [(episode: Episode?, phase: String?, metrics: [String: Double])] {
        var found: [(Episode?, String?, [String: Double])] = []
        var episode: Episode?
        var phase: String?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if let e = Self.episode(in: line, marker: "Train Episode:") { (episode, phase) = (e, "train") }
            if let e = Self.episode(in: line, marker: "Valid Episode:") { (episode, phase) = (e, "valid") }
            if let header = Self.cells(line), header.contains(where: { Double($0) == nil && Self.percent($0) == nil }) {
                var next = index + 1
                while next < lines.count, lines[next].trimmingCharacters(in: .whitespaces).hasPrefix("+") { next += 1 }
                if next < lines.count, let values = Self.cells(lines[next]), values.count == header.count {
                    var metrics: [String: Double] = [:]
                    for (name, text) in zip(header, values) {
                        guard let value = Self.percent(text) ?? Double(text) else { continue }
                        metrics[Self.key(name)] = value
                    }
                    if !metrics.isEmpty { found.append((episode, phase, metrics)) }
                    index = next
                }
            }
            index += 1
        }
        return found
    }

    /// The last metrics table (the test result after `test_status`), as fractions.
    public var lastTable: [String: Double]? { tables.last?.metrics }

    private func lastEpisode(marker: String) -> Episode? {
        for line in lines.reversed() {
            if let episode = Self.episode(in: line, marker: marker) { return episode }
        }
        return nil
    }

    /// `[k/N]` after `marker` on `line`.
    static func episode(in line: String, marker: String) -> Episode? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...].drop { $0 == " " }
        guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
        let parts = rest[rest.index(after: rest.startIndex)..<close].split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces)), n > 0, (0...n).contains(k)
        else { return nil }
        return Episode(index: k, total: n)
    }

    /// The cells of a `| a | b |` row.
    static func cells(_ line: String) -> [String]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("|"), trimmed.hasSuffix("|"), trimmed.count > 2 else { return nil }
        let cells = trimmed.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return cells.isEmpty || cells.contains(where: \.isEmpty) ? nil : cells
    }

    /// `17.24%` as 0.1724: the decimal point moved two places in the text, so the fraction
    /// is the double nearest to the decimal the service printed (÷100 would round twice).
    static func percent(_ text: String) -> Double? {
        guard text.hasSuffix("%") else { return nil }
        var digits = text.dropLast().trimmingCharacters(in: .whitespaces)
        var sign = ""
        if digits.hasPrefix("-") || digits.hasPrefix("+") { sign = String(digits.removeFirst()) }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return Double(digits).map { Double(sign + "1")! * $0 / 100 }
        }
        let whole = String(repeating: "0", count: max(0, 3 - parts[0].count)) + parts[0]
        let shifted = whole.dropLast(2) + "." + whole.suffix(2) + (parts.count == 2 ? parts[1] : "")
        return Double(sign + shifted)
    }

    /// The JSON key of a column: `Sharp Ratio` is `sharpe`, others in snake case.
    static func key(_ name: String) -> String {
        switch name.lowercased() {
        case "total return": return "total_return"
        case "sharp ratio", "sharpe ratio": return "sharpe"
        case "volatility": return "volatility"
        case "max drawdown": return "max_drawdown"
        case "calmar ratio": return "calmar"
        case "sortino ratio": return "sortino"
        default:
            return String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        }
    }
}
