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
        // Train 1 and valid 1 are finished (the next markers came); train 2 is in progress.
        #expect(log.completion == TradeMasterLog.Completion(train: 1, valid: 1, total: 20))
        #expect(log.progress == 2.0 / 40)
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

    /// The trainer prints an episode's marker when it starts and its table when it ends: an
    /// episode counts as finished once its table is read or the next marker appears.
    @Test func finishedEpisodesCountOnlyCompletedOnes() {
        #expect(TradeMasterLog("Loading data").completion == nil)
        #expect(TradeMasterLog("Train Episode: [1/4]").completion == TradeMasterLog.Completion(train: 0, valid: 0, total: 4))
        let trainTable = TradeMasterLog(
            """
            Train Episode: [1/4]
            | Total Return | Sharp Ratio |
            | 1.5% | 0.1 |
            """)
        #expect(trainTable.completion == TradeMasterLog.Completion(train: 1, valid: 0, total: 4))
        let validStarted = TradeMasterLog(trainTable.lines.joined(separator: "\n") + "\nValid Episode: [1/4]")
        #expect(validStarted.completion == TradeMasterLog.Completion(train: 1, valid: 0, total: 4))
        let validDone = TradeMasterLog(validStarted.lines.joined(separator: "\n") + "\n| Total Return |\n| 0.5% |")
        #expect(validDone.completion == TradeMasterLog.Completion(train: 1, valid: 1, total: 4))
        #expect(validDone.progress == 2.0 / 8)
        // The last episode's validation table: all done.
        let all = (1...2).map { "Train Episode: [\($0)/2]\n| Total Return |\n| 1% |\nValid Episode: [\($0)/2]\n| Total Return |\n| 1% |" }
        #expect(TradeMasterLog(all.joined(separator: "\n")).progress == 1)
        // A marker the cleaning cut away: the next one still proves the earlier episodes done.
        #expect(TradeMasterLog("Train Episode: [3/4]").completion == TradeMasterLog.Completion(train: 2, valid: 2, total: 4))
        #expect(TradeMasterLog("Valid Episode: [3/4]").completion == TradeMasterLog.Completion(train: 3, valid: 2, total: 4))
    }

    /// A script that rejects its arguments exits without a Traceback: argparse's error line.
    @Test func aUsageErrorIsTheEndOfAProcessWithoutATraceback() {
        let log = TradeMasterLog(
            """
            Gym has been unmaintained since 2022 and does not support NumPy 2.0
            usage: run.py [-h] [--data_path DATA_PATH] [--method METHOD]
                          [--config CONFIG] [--verbose VERBOSE]
            run.py: error: unrecognized arguments: --task_name dynamics_test --test_dynamic 0

            """)
        #expect(log.usageError == "run.py: error: unrecognized arguments: --task_name dynamics_test --test_dynamic 0")
        #expect(log.crash == nil)
        #expect(log.lastLine == "run.py: error: unrecognized arguments: --task_name dynamics_test --test_dynamic 0")
        // An error line without argparse's usage is not one; a usage text alone is not either.
        #expect(TradeMasterLog("ValueError: x\nmain: error: something").usageError == nil)
        #expect(TradeMasterLog("usage: run.py [-h]").usageError == nil)
        #expect(TradeMasterLog("").lastLine == nil && TradeMasterLog("\n  \n").lastLine == nil)
    }
}
