import Foundation

/// What a dataset holds, computed when it is loaded.
public struct DatasetSummary: Codable, Sendable, Equatable {
    /// Rows in all.
    public var rowCount: Int64
    /// Each symbol with its rows and time span, by name.
    public var symbols: [SymbolSummary]
    /// The first bar's time.
    public var first: Date
    /// The last bar's time.
    public var last: Date
    /// The bar interval inferred from the most common spacing (`1min`, `5min`, `1h`, `1d`, `1w`…).
    public var interval: String
    /// The most common spacing in seconds.
    public var intervalSeconds: Int64
    /// Whether every time is midnight UTC (a daily file with dates only).
    public var datesOnly: Bool
    /// Statistics of each numeric column.
    public var columns: [ColumnSummary]

    /// One symbol's part.
    public struct SymbolSummary: Codable, Sendable, Equatable {
        /// The symbol.
        public var symbol: String
        /// Its rows.
        public var rowCount: Int64
        /// Its first bar's time.
        public var first: Date
        /// Its last bar's time.
        public var last: Date
    }

    /// One numeric column's statistics (`null` where there are no values).
    public struct ColumnSummary: Codable, Sendable, Equatable {
        /// The column name as in the file.
        public var name: String
        /// Values present.
        public var count: Int64
        /// Values missing.
        public var nulls: Int64
        /// The smallest value.
        public var min: Double?
        /// The largest value.
        public var max: Double?
        /// The mean.
        public var mean: Double?
        /// The sample standard deviation.
        public var std: Double?
    }

    /// The name of an interval of `seconds`.
    public static func intervalName(_ seconds: Int64) -> String {
        for (unit, name) in [(Int64(604_800), "w"), (86_400, "d"), (3600, "h"), (60, "min")] where seconds >= unit && seconds % unit == 0 {
            return "\(seconds / unit)\(name)"
        }
        return "\(seconds)s"
    }
}

/// Data quality found at load time.
public struct DatasetQuality: Codable, Sendable, Equatable {
    /// Gaps larger than the interval: for daily data, business days missing; for intraday
    /// data, missing bars within one UTC day (nights and weekends are not gaps).
    public var gapCount: Int
    /// The largest gaps, at most 20.
    public var gaps: [Gap]
    /// The largest absolute close-to-close return, if there are two bars of a symbol.
    public var largestAbsReturn: LargestReturn?
    /// Bars whose volume is zero.
    public var zeroVolumeBars: Int64

    /// A run of missing bars between two bars of a symbol.
    public struct Gap: Codable, Sendable, Equatable {
        /// The symbol.
        public var symbol: String
        /// The bar before the gap.
        public var from: Date
        /// The bar after it.
        public var to: Date
        /// How many bars (business days, or intervals) are missing.
        public var missingBars: Int64
    }

    /// The largest absolute return and where it is.
    public struct LargestReturn: Codable, Sendable, Equatable {
        /// The symbol.
        public var symbol: String
        /// The bar whose close made the return.
        public var date: Date
        /// The return, a fraction (close / previous close − 1).
        public var value: Double
    }
}
