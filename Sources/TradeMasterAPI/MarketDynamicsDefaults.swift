/// The labelling parameters `start_market_dynamics_labeling` needs besides the dataset,
/// dates, styles and method (the service calls `int(None)` without them), and their
/// defaults per dataset as `evaluation_getParameters` lists them (`{key: {"task:ds": value}}`).
public enum MarketDynamicsDefaults {
    /// The parameters the service reads, in its order.
    public static let keys = [
        "min_length_limit", "filter_strength", "max_length_expectation", "key_indicator", "timestamp", "tic",
        "merging_metric", "merging_threshold", "merging_dynamic_constraint",
    ]

    /// The values the service gives datasets it does not list (its defaults for an uploaded
    /// file), used for a dataset the answer lacks.
    public static var fallback: [String: Any] {
        [
            "min_length_limit": "24", "filter_strength": "1", "max_length_expectation": "144", "key_indicator": "adjcp",
            "timestamp": "date", "tic": "tic", "merging_metric": "DTW_distance", "merging_threshold": "0.03",
            "merging_dynamic_constraint": 1,
        ]
    }

    /// The value of every parameter of ``keys`` for `dataset`: the service's own where
    /// `answer` has it, else ``fallback``.
    public static func values(for dataset: String, from answer: [String: Any]) -> [String: Any] {
        var values: [String: Any] = [:]
        for key in keys {
            if let perDataset = answer[key] as? [String: Any], let value = perDataset[dataset], value is String || value is Int || value is Double {
                values[key] = value
            } else {
                values[key] = fallback[key]
            }
        }
        return values
    }
}
