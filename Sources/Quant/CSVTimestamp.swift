/// The timestamp formats the OHLCV CSV reader accepts, for other readers of price files
/// (the upload parser): one parser, so an upload and a backtest read dates alike.
public enum CSVTimestamp {
    /// Seconds since the Unix epoch (UTC) of `bytes`, or the reason it is not a timestamp.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Int64, Invalid> {
        switch TimestampParser.parse(bytes, 0, bytes.count) {
        case .value(let seconds): return .success(seconds)
        case .invalid(let reason): return .failure(Invalid(reason: reason))
        }
    }

    /// Why a field is not a timestamp.
    public struct Invalid: Error, Sendable, Equatable {
        /// A short reason fit for a user ("no such date").
        public var reason: String
    }
}
