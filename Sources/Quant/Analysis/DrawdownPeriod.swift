/// One drawdown of a wealth curve: from a peak to its trough and back to the peak.
///
/// Indices are rows of the curve (0 is the start, wealth 1), like `DrawdownInfo`'s.
public struct DrawdownPeriod: Sendable, Equatable {
    /// How deep it fell: trough / peak − 1 (negative).
    public var depth: Double
    /// The last row at the peak before the trough.
    public var peak: Int
    /// The lowest row.
    public var trough: Int
    /// The first row back at the peak, nil when not recovered.
    public var recovery: Int?
    /// Rows from peak to recovery (to the last row when not recovered).
    public var duration: Int

    /// The `count` worst drawdowns of the wealth curve of `returns`, deepest first, with
    /// pyfolio's `get_top_drawdowns` method: take the deepest, cut its rows between peak and
    /// recovery out of the underwater curve (or everything after the peak when it has not
    /// recovered), repeat until `count` or nothing is under water.
    public static func worst(_ count: Int, returns r: [Double]) -> [DrawdownPeriod] {
        guard !r.isEmpty, count > 0 else { return [] }
        var under = [Double](repeating: 0, count: r.count + 1)
        var wealth = 1.0
        var peak = 1.0
        for i in r.indices {
            wealth *= 1 + r[i]
            peak = max(peak, wealth)
            under[i + 1] = wealth / peak - 1
        }
        // Rows still in the curve, ascending.
        var rows = Array(under.indices)
        var out: [DrawdownPeriod] = []
        while out.count < count, let lowest = rows.indices.min(by: { under[rows[$0]] < under[rows[$1]] }), under[rows[lowest]] < 0 {
            let trough = rows[lowest]
            let peakAt = rows[..<lowest].lastIndex { under[$0] == 0 } ?? 0
            let recoveryAt = rows[lowest...].firstIndex { under[$0] == 0 }
            let recovery = recoveryAt.map { rows[$0] }
            out.append(
                DrawdownPeriod(
                    depth: under[trough], peak: rows[peakAt], trough: trough, recovery: recovery,
                    duration: (recovery ?? under.count - 1) - rows[peakAt]))
            if let recoveryAt {
                rows.removeSubrange((peakAt + 1)..<recoveryAt)
            } else {
                rows.removeSubrange((peakAt + 1)...)
            }
        }
        return out
    }
}
