import Foundation
import Models
import TMFcgi

extension Run: ResponseEncodable {}

/// Runs without paging: what `POST /api/v1/strategies/:id/stop` stopped.
public struct RunList: ResponseEncodable, Codable, Sendable {
    /// The runs.
    public var items: [Run]
}

/// One point of a run's equity curve.
public struct EquityPoint: Codable, Sendable {
    /// The bar's time.
    public var time: Date
    /// Cash plus the position at the close.
    public var equity: Double?
    /// Fall from the running peak (≤ 0), computed over every bar.
    public var drawdown: Double?
    /// Shares held (negative when short).
    public var position: Int64
}

/// `GET /api/v1/runs/:id/equity`: the curve, downsampled to at most `max_points` points
/// (evenly spaced bars, the first and last always).
public struct RunEquity: ResponseEncodable, Codable, Sendable {
    /// The run.
    public var runId: Int64
    /// Bars in the whole series.
    public var totalPoints: Int
    /// The most points asked for.
    public var maxPoints: Int
    /// The points.
    public var points: [EquityPoint]
}
