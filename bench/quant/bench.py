"""Times the Python references on the bench CSV; prints one JSON object (milliseconds, best of N)."""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
import empyrical as ep
from backtesting import Backtest, Strategy
from backtesting.lib import crossover

warnings.filterwarnings("ignore")
path = sys.argv[1]
long_path = sys.argv[2] if len(sys.argv) > 2 else None
max_tries = int(sys.argv[3]) if len(sys.argv) > 3 else 12


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times), out


res = {}
res["pandas_read_csv_ms"], df = best(lambda: pd.read_csv(path), 5)
res["pandas_read_csv_parse_dates_ms"], _ = best(lambda: pd.read_csv(path, parse_dates=["date"]), 5)
# The strongest CSV readers, multi-threaded (both cores here): pyarrow (the date column read as
# timestamps, as parse_dates does) and polars (try_parse_dates); pyarrow on one thread too.
import pyarrow as pa
import pyarrow.csv as pacsv
import polars as pl

arrow_convert = pacsv.ConvertOptions(column_types={"date": pa.timestamp("s")})
res["pyarrow_read_csv_ms"], table = best(lambda: pacsv.read_csv(path, convert_options=arrow_convert), 5)
res["pyarrow_read_csv_1_thread_ms"], _ = best(
    lambda: pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False), convert_options=arrow_convert), 5)
res["polars_read_csv_ms"], frame = best(lambda: pl.read_csv(path, try_parse_dates=True), 5)
assert str(table.schema.field("date").type).startswith("timestamp") and frame.schema["date"] == pl.Datetime
assert table.num_rows == frame.height == len(df)
del table, frame
if long_path:
    res["pandas_long_read_csv_parse_dates_ms"], long_df = best(lambda: pd.read_csv(long_path, parse_dates=["date"]), 3)
    res["pandas_long_rows"] = len(long_df)
    del long_df
close, open_ = df["close"].to_numpy(), df["open"].to_numpy()


def metric_set():
    r = close[1:] / close[:-1] - 1
    b = open_[1:] / open_[:-1] - 1
    a, be = ep.alpha_beta(r, b)
    return [ep.cum_returns_final(r), ep.annual_return(r), ep.annual_volatility(r), ep.sharpe_ratio(r),
            ep.sortino_ratio(r), ep.calmar_ratio(r), ep.max_drawdown(r), ep.omega_ratio(r),
            ep.tail_ratio(r), ep.stability_of_timeseries(r), ep.downside_risk(r), a, be,
            ep.excess_sharpe(r, b), ep.value_at_risk(r), ep.conditional_value_at_risk(r)]


res["empyrical_metrics_ms"], m = best(metric_set, 10)
res["empyrical_sharpe"] = float(m[3])


def vectorised(fast=10, slow=30, commission=0.001):
    """A typical vectorised SMA-crossover backtest: state from cross events, next-bar execution,
    fractional position, close-to-close returns, commission on position changes."""
    cs = np.cumsum(np.insert(close, 0, 0.0))
    f = np.full(len(close), np.nan); s = f.copy()
    f[fast - 1:] = (cs[fast:] - cs[:-fast]) / fast
    s[slow - 1:] = (cs[slow:] - cs[:-slow]) / slow
    above = f > s
    below = f < s
    up = np.zeros(len(close), bool); dn = up.copy()
    up[1:] = below[:-1] & above[1:]
    dn[1:] = above[:-1] & below[1:]
    event = np.where(up, 1.0, np.where(dn, 0.0, np.nan))
    state = pd.Series(event).ffill().fillna(0.0).to_numpy()
    pos = np.concatenate([[0.0], state[:-1]])
    ret = np.concatenate([[0.0], close[1:] / close[:-1] - 1])
    strat = pos * ret - commission * np.abs(np.diff(pos, prepend=0.0))
    return 100_000 * np.cumprod(1 + strat)


res["numpy_vectorised_backtest_ms"], eq = best(vectorised, 10)

data = pd.DataFrame({"Open": open_, "High": df["high"].to_numpy(), "Low": df["low"].to_numpy(),
                     "Close": close, "Volume": df["volume"].to_numpy().astype(float)},
                    index=pd.to_datetime(df["date"]))


def sma(x, n):
    return pd.Series(x).rolling(n).mean().to_numpy()


class SmaCross(Strategy):
    def init(self):
        self.f = self.I(sma, self.data.Close, 10)
        self.s = self.I(sma, self.data.Close, 30)

    def next(self):
        if crossover(self.f, self.s):
            self.buy()
        elif crossover(self.s, self.f):
            self.position.close()


def run_bt():
    bt = Backtest(data, SmaCross, cash=100_000, commission=0.001, trade_on_close=False,
                  exclusive_orders=True, finalize_trades=False)
    return bt.run()


res["backtesting_py_ms"], st = best(run_bt, 2)
res["backtesting_py_trades"] = int(st["# Trades"])
res["backtesting_py_final_equity"] = float(st["Equity Final [$]"])


class SmaCrossParams(SmaCross):
    fast = 10
    slow = 30

    def init(self):
        self.f = self.I(sma, self.data.Close, self.fast)
        self.s = self.I(sma, self.data.Close, self.slow)


# Parameter search: backtesting.py's grid `optimize` (its default process pool, one process per
# core) over fast 5..50 step 5 x slow 20..200 step 20 with fast < slow, maximising the Sharpe
# ratio. A full grid run would take minutes, so it runs a seeded random sample of the grid
# (`max_tries`); trials per second = backtests run (the sample plus optimize's final run of the
# best) / wall time of the `optimize` call.
def run_optimize():
    bt = Backtest(data, SmaCrossParams, cash=100_000, commission=0.001, trade_on_close=False,
                  exclusive_orders=True, finalize_trades=False)
    stats, heat = bt.optimize(fast=range(5, 51, 5), slow=range(20, 201, 20), constraint=lambda p: p.fast < p.slow,
                              maximize="Sharpe Ratio", max_tries=max_tries,
                              random_state=0, return_heatmap=True)
    return len(heat) + 1


t = time.perf_counter()
trials = run_optimize()
seconds = time.perf_counter() - t
res["backtesting_py_optimize_trials"] = trials
res["backtesting_py_optimize_s"] = seconds
res["backtesting_py_optimize_trials_per_s"] = trials / seconds
print(json.dumps(res))
