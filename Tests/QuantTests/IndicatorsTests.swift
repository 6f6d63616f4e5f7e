import Testing

@testable import Quant

/// Indicators against pandas (fixture indicators_daily) and TradeMaster's features.
@Suite struct IndicatorsTests {
    @Test func matchesPandasReference() throws {
        let s = try Fixtures.series("daily.csv")
        let ref = try Fixtures.json("indicators_daily")
        let c = s.close
        expectClose(try Indicators.sma(c, window: 20), numbers(ref["sma_20"]), "sma")
        expectClose(try Indicators.ema(c, window: 10), numbers(ref["ema_10"]), "ema")
        expectClose(try Indicators.rsi(c, window: 14), numbers(ref["rsi_14"]), "rsi")
        let macd = try Indicators.macd(c)
        expectClose(macd.macd, numbers(ref["macd"]), "macd")
        expectClose(macd.signal, numbers(ref["macd_signal"]), relative: 1e-8, "macd signal")
        expectClose(macd.histogram, numbers(ref["macd_histogram"]), relative: 1e-6, "macd histogram")
        let bands = try Indicators.bollinger(c, window: 20, k: 2)
        expectClose(bands.upper, numbers(ref["bollinger_upper"]), "bollinger upper")
        expectClose(bands.lower, numbers(ref["bollinger_lower"]), "bollinger lower")
        expectClose(try Indicators.atr(high: s.high, low: s.low, close: c, window: 14), numbers(ref["atr_14"]), "atr")
        expectClose(try Indicators.rollingStandardDeviation(c, window: 20), numbers(ref["rolling_std_20"]), "rolling std")
        expectClose(try Indicators.zScore(c, window: 20), numbers(ref["zscore_20"]), relative: 1e-7, "z-score")
        expectClose(try Indicators.rateOfChange(c, period: 10), numbers(ref["roc_10"]), "rate of change")
    }

    @Test func warmUpIsNaN() throws {
        let x = (1...10).map(Double.init)
        let sma = try Indicators.sma(x, window: 3)
        #expect(sma[0].isNaN && sma[1].isNaN && sma[2] == 2)
        #expect(try Indicators.ema(x, window: 20).allSatisfy { $0.isNaN })
        #expect(try Indicators.rsi(x, window: 3)[2].isNaN)
        #expect(try Indicators.rsi(x, window: 3)[3] == 100)
    }

    @Test func rejectsNonFiniteInput() {
        #expect(throws: QuantError.nonFinite(what: "values", index: 1)) {
            try Indicators.sma([1, .nan, 3], window: 2)
        }
        #expect(throws: QuantError.self) { try Indicators.ema([1, .infinity], window: 1) }
        #expect(throws: QuantError.self) { try Indicators.sma([1, 2], window: 0) }
    }

    @Test func tradeMasterFeaturesMatchPandasPerSymbol() throws {
        let s = try Fixtures.series("trademaster_long.csv")
        #expect(s.distinctSymbols == ["AAPL", "MSFT"])
        let ref = try Fixtures.json("features_trademaster")
        let f = TradeMasterFeatures(series: s)
        for symbol in s.distinctSymbols {
            let rows = s.symbols?.indices.filter { s.symbols?[$0] == symbol } ?? []
            let e = try #require(ref[symbol] as? [String: Any])
            expectClose(rows.map { f.zopen[$0] }, numbers(e["zopen"]), "zopen")
            expectClose(rows.map { f.zhigh[$0] }, numbers(e["zhigh"]), "zhigh")
            expectClose(rows.map { f.zlow[$0] }, numbers(e["zlow"]), "zlow")
            expectClose(rows.map { f.zadjcp?[$0] ?? 0 }, numbers(e["zadjcp"]), "zadjcp")
            expectClose(rows.map { f.zclose[$0] }, numbers(e["zclose"]), "zclose")
            for k in TradeMasterFeatures.windows {
                expectClose(rows.map { f.zd[k]?[$0] ?? 0 }, numbers(e["zd_\(k)"]), "zd_\(k)")
            }
        }
    }
}
