import Support

/// Compounded returns per calendar month and year (UTC) of a price or equity curve, as
/// empyrical's `aggregate_returns`: each return is dated by its later bar, and a period's
/// figure is ∏(1 + r) − 1 over the returns dated in it.
public struct PeriodReturns: Sendable, Equatable {
    /// One month's return.
    public struct Month: Sendable, Equatable {
        /// Calendar year.
        public var year: Int
        /// Month, 1–12.
        public var month: Int
        /// Compounded return.
        public var value: Double
    }

    /// One year's return.
    public struct Year: Sendable, Equatable {
        /// Calendar year.
        public var year: Int
        /// Compounded return.
        public var value: Double
    }

    /// Months with at least one return, in order.
    public var monthly: [Month]
    /// Years with at least one return, in order.
    public var yearly: [Year]

    /// The tables of the curve `values` at `timestamps` (ascending).
    public init(timestamps: [Int64], values: [Double]) throws(QuantError) {
        guard timestamps.count == values.count else {
            throw .lengthMismatch(what: "timestamps", expected: values.count, actual: timestamps.count)
        }
        let r = try Metrics.simpleReturns(values)
        monthly = []
        yearly = []
        for i in r.indices {
            let t = timestamps[i + 1]
            let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
            let (y, m, _) = CivilCalendar.date(fromDays: Int(days))
            if let last = monthly.last, last.year == y, last.month == m {
                monthly[monthly.count - 1].value = (1 + last.value) * (1 + r[i]) - 1
            } else {
                monthly.append(Month(year: y, month: m, value: r[i]))
            }
            if let last = yearly.last, last.year == y {
                yearly[yearly.count - 1].value = (1 + last.value) * (1 + r[i]) - 1
            } else {
                yearly.append(Year(year: y, value: r[i]))
            }
        }
    }
}
