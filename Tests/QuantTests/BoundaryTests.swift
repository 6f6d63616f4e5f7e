import Testing

@testable import Quant

/// Inputs at the edges that once trapped (and so killed the process serving them).
struct BoundaryTests {
    @Test func tradeMasterFeaturesOfAnEmptyOrOneRowSeriesAreEmptyOrNaN() throws {
        let empty = TradeMasterFeatures(series: try OHLCVSeries(timestamps: [], close: []))
        #expect(empty.zclose.isEmpty && empty.zopen.isEmpty)
        let one = TradeMasterFeatures(series: try OHLCVSeries(timestamps: [0], close: [2]))
        #expect(one.zclose.count == 1 && one.zclose[0].isNaN)
        #expect(one.zopen == [0])
        // A long series where one symbol has a single row.
        let long = try OHLCVSeries(
            timestamps: [0, 0, 60], open: [1, 4, 2], high: [1, 4, 2], low: [1, 4, 2], close: [1, 4, 2],
            symbols: ["A", "B", "A"])
        let features = TradeMasterFeatures(series: long)
        #expect(features.zclose[0].isNaN && features.zclose[1].isNaN && features.zclose[2] == 1)
    }

    @Test func saturatingConversionClampsWhereInt64WouldTrap() {
        #expect(Int64(saturating: 1e20) == .max)
        #expect(Int64(saturating: -1e20) == .min)
        #expect(Int64(saturating: .infinity) == .max)
        #expect(Int64(saturating: -.infinity) == .min)
        #expect(Int64(saturating: .nan) == 0)
        #expect(Int64(saturating: 9_223_372_036_854_775_807) == .max)  // rounds to 2^63
        #expect(Int64(saturating: 9_223_372_036_854_774_784) == 9_223_372_036_854_774_784)  // the largest Double below 2^63
        #expect(Int64(saturating: -9_223_372_036_854_775_808) == .min)
        #expect(Int64(saturating: 2.9) == 2 && Int64(saturating: -2.9) == -2 && Int64(saturating: 1e-300) == 0)
    }
}
