import Testing

@testable import Quant

/// Forward fill, outliers, resampling, normalisation and splits.
@Suite struct PreprocessingTests {
    @Test func forwardFillCarriesTheLastValue() throws {
        let out = try Preprocessing.forwardFill([.nan, 1, .nan, .nan, 4, .nan])
        #expect(out[0].isNaN)
        #expect(Array(out[1...]) == [1, 1, 1, 4, 4])
        #expect(throws: QuantError.self) { try Preprocessing.forwardFill([1, .infinity]) }
    }

    @Test func outliersAreClippedOrDropped() throws {
        let x: [Double] = [1, 2, 1, 2, 1, 2, 1, 2, 1, 50]
        let mask = try Preprocessing.outlierMask(x, zThreshold: 2)
        #expect(mask == [false, false, false, false, false, false, false, false, false, true])
        let clipped = try Preprocessing.clipOutliers(x, zThreshold: 2)
        #expect(clipped[9] < 50 && clipped[0] == 1)
        let s = try OHLCVSeries(timestamps: (0..<12).map { Int64($0) }, close: [10, 10.1, 10, 10.1, 10, 10.1, 10, 10.1, 30, 30.1, 30, 30.1])
        #expect(try Preprocessing.dropOutliers(s, zThreshold: 2.5).count == 11)
    }

    @Test func resampleAggregatesOHLCV() throws {
        let s = try OHLCVSeries(
            timestamps: [0, 60, 120, 300, 360], open: [1, 2, 3, 4, 5], high: [2, 5, 4, 6, 7],
            low: [0.5, 1, 2, 3, 4], close: [2, 3, 3.5, 5, 6], volume: [10, 20, 30, 40, 50])
        let r = try Preprocessing.resample(s, seconds: 300)
        #expect(r.timestamps == [0, 300])
        #expect(r.open == [1, 4] && r.high == [5, 7] && r.low == [0.5, 3] && r.close == [3.5, 6] && r.volume == [60, 90])
    }

    @Test func normalizerFitsOnTrainingOnly() throws {
        let data: [Double] = [1, 2, 3, 4, 5, 100]
        let split = try DataSplit(count: data.count, train: 0.5, validation: 0.25)
        #expect(split.train == 0..<3 && split.validation == 3..<4 && split.test == 4..<6)
        let n = try Normalizer(fitting: Array(data[split.train]), method: .minMax)
        #expect(n.transform(data) == [0, 0.5, 1, 1.5, 2, 49.5])
        let z = try Normalizer(fitting: [1, 2, 3], method: .zScore)
        #expect(z.transform([2, 3]) == [0, 1])
        #expect(z.inverse(z.transform([7])) == [7])
        #expect(throws: QuantError.self) { try DataSplit(count: 10, train: 0.9, validation: 0.2) }
    }
}
