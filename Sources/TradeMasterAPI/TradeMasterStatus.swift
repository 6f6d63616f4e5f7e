/// One answer of a `*_status` route.
public struct TradeMasterStatus: Sendable {
    /// The (cleaned) log the service returned, up to its last 2000 lines.
    public var info: String
    /// The route's end flag (`train_end`, `test_end`, `MDM_end`, `dynamics_testing_end`).
    public var ended: Bool
    /// Base64 images by field name (`result_plot`, `radar_plot`, …); empty or null ones left out.
    public var images: [String: String]
}
