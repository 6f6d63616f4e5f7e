import Support

/// When a portfolio returns to its target weights: after the last bar of each day, week
/// (Monday to Sunday, UTC) or month, or every `bars` bars from the first rebalance.
///
/// A rebalance is decided on a bar's close and filled at the next bar's open, like every
/// order of the backtester; so `monthly` trades at the first open of each month.
public enum RebalanceSchedule: Sendable, Equatable {
    /// Every bar.
    case daily
    /// After the last bar of each calendar week.
    case weekly
    /// After the last bar of each calendar month.
    case monthly
    /// Every `n` bars from the first rebalance.
    case bars(Int)

    /// The names the `rebalance` parameter accepts, in index order.
    public static let names = ["daily", "weekly", "monthly", "bars"]

    /// The schedule named `name` (`bars` with `every`), nil for an unknown name.
    public init?(name: String, every: Int) {
        switch name {
        case "daily": self = .daily
        case "weekly": self = .weekly
        case "monthly": self = .monthly
        case "bars": self = .bars(max(every, 1))
        default: return nil
        }
    }

    /// Whether the bar at `time` is a rebalance bar: `next` is the following bar's time,
    /// `sinceFirst` the bars since the first rebalance.
    func isDue(time: Int64, next: Int64, sinceFirst: Int) -> Bool {
        switch self {
        case .daily: return true
        case .weekly: return Self.week(time) != Self.week(next)
        case .monthly: return Self.month(time) != Self.month(next)
        case .bars(let n): return sinceFirst % n == 0
        }
    }

    /// Days since 1970-01-01 (UTC) of a time.
    private static func day(_ t: Int64) -> Int64 { t >= 0 ? t / 86_400 : (t - 86_399) / 86_400 }

    /// Monday-based week number (1970-01-01 was a Thursday).
    static func week(_ t: Int64) -> Int64 {
        let d = day(t) + 3
        return d >= 0 ? d / 7 : (d - 6) / 7
    }

    /// Months since year 0.
    static func month(_ t: Int64) -> Int {
        let (y, m, _) = CivilCalendar.date(fromDays: Int(day(t)))
        return y * 12 + m - 1
    }
}
