extension Int64 {
    /// `value` rounded toward zero, clamped to `Int64.min...Int64.max`; NaN is 0. For
    /// numbers computed from user input (shares, money), where `Int64(_:)` would trap.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_807 {  // 2^63, the first Double past Int64.max
            self = .max
        } else if value <= -9_223_372_036_854_775_808 {
            self = .min
        } else {
            self.init(value)
        }
    }
}
