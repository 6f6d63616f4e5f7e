import Testing

@testable import Models
@testable import TradeMasterAPI

/// Reading the service's log: episodes, crashes and the metrics table, including lines the
/// service's `m ` cleaning has cut.
struct TradeMasterLogTests {
    @Test func episodesAreTheLatestReadableMarkers() {
        let log = TradeMasterLog(
            """
            data/algorithmic_trading/BTC/train.csv
            Train Episode: [1/20]
            Valid Episode: [1/20]
            Train Episode: [2/20]
            0.0312
            """)
        #expect(log.trainEpisode == TradeMasterLog.Episode(index: 2, total: 20))
        #expect(log.validEpisode == TradeMasterLog.Episode(index: 1, total: 20))
        #expect(log.progress == 3.0 / 40)
        #expect(log.crash == nil)
        #expect(TradeMasterLog("Train Episode: [21/20]").trainEpisode == nil)
        #expect(TradeMasterLog("no progress here").progress == 0)
    }

    @Test func theMetricsTableBecomesFractions() throws {
        let log = TradeMasterLog(
            """
            Test Best Episode
            +--------------+-------------+------------+--------------+
            | Total Return | Sharp Ratio | Volatility | Max Drawdown |
            +--------------+-------------+------------+--------------+
            | 17.242411% | 0.462133 | 2.009390% | 46.642089% |
            +--------------+-------------+------------+--------------+
            """)
        let table = try #require(log.lastTable)
        #expect(table == ["total_return": 0.17242411, "sharpe": 0.462133, "volatility": 0.0200939, "max_drawdown": 0.46642089])
        #expect(TradeMasterLog("| Total Return |\n| n/a |").lastTable == nil)
    }

    @Test func tablesKeepTheirEpisode() {
        let log = TradeMasterLog(
            """
            Train Episode: [1/2]
            | Total Return | Sharp Ratio |
            | 1.5% | 0.1 |
            Valid Episode: [1/2]
            | Total Return | Sharp Ratio |
            | -2% | -0.3 |
            """)
        let tables = log.tables
        #expect(tables.count == 2)
        #expect(tables[0].episode?.index == 1 && tables[0].phase == "train" && tables[0].metrics["total_return"] == 0.015)
        #expect(tables[1].phase == "valid" && tables[1].metrics["sharpe"] == -0.3)
    }

    @Test func aTracebackIsACrashWithItsLastLine() {
        let log = TradeMasterLog(
            """
            Train Episode: [2/4]
            Traceback (most recent call last):
              File "train.py", line 98, in train
            RuntimeError: boom

            """)
        #expect(log.crash == "RuntimeError: boom")
        #expect(log.tail(2) == ["  File \"train.py\", line 98, in train", "RuntimeError: boom"])
    }
}
