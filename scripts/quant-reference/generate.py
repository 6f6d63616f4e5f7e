"""Generates the reference fixtures of the Quant tests (Tests/QuantTests/Fixtures).

Data are synthetic (seeded), written as CSV; every expected number comes from an
independent reference: empyrical-reloaded for metrics, backtesting.py for backtests,
pandas for indicators. Run through `scripts/quant-reference/generate` (makes the venv).
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import empyrical as ep
from scipy import stats as sps
from backtesting import Backtest, Strategy
from backtesting.lib import crossover

warnings.filterwarnings("ignore")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "Tests", "QuantTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)


def ohlcv(rng, n, start_price, vol, drift, decimals):
    """Random-walk bars with consistent OHLC."""
    close = start_price * np.exp(np.cumsum(rng.normal(drift, vol, n)))
    prev = np.concatenate([[start_price], close[:-1]])
    open_ = prev * (1 + rng.normal(0, vol / 4, n))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, vol / 2, n)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, vol / 2, n)))
    volume = rng.integers(1_000, 100_000, n).astype(float)
    r = lambda a: np.round(a, decimals)
    o, h, l, c = r(open_), r(high), r(low), r(close)
    h = np.maximum(h, np.maximum(o, c))
    l = np.minimum(l, np.minimum(o, c))
    return o, h, l, c, volume


def halt(o, h, l, c, v, start, length):
    """A trading halt: flat bars at the last close, no volume."""
    p = c[start - 1]
    for i in range(start, start + length):
        o[i] = h[i] = l[i] = c[i] = p
        v[i] = 0


def daily_frame():
    rng = np.random.default_rng(42)
    dates = pd.bdate_range("2021-01-04", periods=520)
    dates = dates.delete(range(200, 220))  # a 4-week gap in the data
    n = len(dates)
    o, h, l, c, v = ohlcv(rng, n, 100.0, 0.015, 0.0003, 4)
    halt(o, h, l, c, v, 300, 8)
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "open": o, "high": h,
                         "low": l, "close": c, "volume": v})


def intraday_frame():
    rng = np.random.default_rng(7)
    stamps = []
    for day in ["2024-03-04", "2024-03-05", "2024-03-06"]:
        base = pd.Timestamp(day + " 09:30:00")
        stamps += [base + pd.Timedelta(minutes=m) for m in range(390)]
    stamps = pd.DatetimeIndex(stamps).delete(range(500, 530))  # 30 missing minutes
    n = len(stamps)
    o, h, l, c, v = ohlcv(rng, n, 250.0, 0.0012, 0.00001, 6)
    halt(o, h, l, c, v, 800, 20)
    return pd.DataFrame({"date": stamps.strftime("%Y-%m-%d %H:%M:%S"), "open": o,
                         "high": h, "low": l, "close": c, "volume": v})


def benchmark_frame(daily):
    rng = np.random.default_rng(3)
    dates = pd.to_datetime(daily["date"])
    keep = np.ones(len(dates), bool)
    keep[[5, 77, 78, 310, 311, 312]] = False  # benchmark misses some dates ...
    dates = dates[keep]
    extra = pd.bdate_range("2023-01-02", periods=15)  # ... and has later ones
    dates = pd.DatetimeIndex(list(dates) + [d for d in extra if d > dates.max()])
    n = len(dates)
    close = np.round(4000 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n))), 2)
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": close})


def read(path):
    # round_trip: correctly rounded doubles, as the Swift reader produces.
    return pd.read_csv(path, float_precision="round_trip")


def f(x):
    x = float(x)
    return x if np.isfinite(x) else None


def arr(a):
    return [f(x) for x in np.asarray(a, dtype=float)]


def drawdown_details(returns):
    wealth = np.concatenate([[1.0], np.cumprod(1 + returns)])
    peakv = np.maximum.accumulate(wealth)
    under = wealth / peakv - 1
    trough = int(np.argmin(under))
    zeros = np.where(under[:trough] == 0)[0]
    peak = int(zeros[-1]) if len(zeros) else 0
    after = np.where(under[trough:] == 0)[0]
    recovery = int(trough + after[0]) if len(after) else None
    return {"peak": peak, "trough": trough, "recovery": recovery}


def trademaster(assets):
    a = np.asarray(assets, float)
    r = a[1:] / a[:-1] - 1
    neg = r[r < 0]
    peak = np.maximum.accumulate(a)
    mdd = float(np.max((peak - a) / peak))
    return {"total_return": f(a[-1] / a[0] - 1),
            "sharpe": f(np.mean(r) * np.sqrt(252) / np.std(r)),
            "volatility": f(np.std(r)), "max_drawdown": f(mdd),
            "calmar": f(np.sum(r) / mdd),
            "sortino": f(np.sum(r) / np.std(neg) / np.sqrt(len(r)))}


def metrics(df, ann, bench=None):
    close = df["close"].to_numpy()
    r = close[1:] / close[:-1] - 1
    out = {
        "annualization": ann,
        "returns": arr(r),
        "cumulative_return": f(ep.cum_returns_final(r)),
        "annual_return": f(ep.annual_return(r, annualization=ann)),
        "annual_volatility": f(ep.annual_volatility(r, annualization=ann)),
        "sharpe": f(ep.sharpe_ratio(r, annualization=ann)),
        "sortino": f(ep.sortino_ratio(r, annualization=ann)),
        "calmar": f(ep.calmar_ratio(r, annualization=ann)),
        "max_drawdown": f(ep.max_drawdown(r)),
        "omega": f(ep.omega_ratio(r, annualization=ann)),
        "tail_ratio": f(ep.tail_ratio(r)),
        "stability": f(ep.stability_of_timeseries(r)),
        "downside_risk": f(ep.downside_risk(r, annualization=ann)),
        "drawdown_series": arr(ep.stats.drawdown_series(r)),
        "drawdown": drawdown_details(r),
        "rolling_volatility_20": arr(ep.roll_annual_volatility(r, window=20, annualization=ann)),
        "trademaster": trademaster(close),
    }
    mu, sd = np.mean(r), np.std(r, ddof=1)
    skew, kurt = sps.skew(r), sps.kurtosis(r)
    for conf in (0.95, 0.99):
        tag = str(int(round(conf * 100)))
        z = sps.norm.ppf(1 - conf)
        zcf = (z + (z**2 - 1) * skew / 6 + (z**3 - 3 * z) * kurt / 24
               - (2 * z**3 - 5 * z) * skew**2 / 36)
        out["var_historical_" + tag] = f(ep.value_at_risk(r, cutoff=1 - conf))
        out["var_gaussian_" + tag] = f(mu + z * sd)
        out["var_cornish_fisher_" + tag] = f(mu + zcf * sd)
        out["cvar_" + tag] = f(ep.conditional_value_at_risk(r, cutoff=1 - conf))
    if bench is not None:
        rs = pd.Series(r, index=pd.to_datetime(df["date"].iloc[1:]).to_numpy())
        bc = bench["close"].to_numpy()
        bs = pd.Series(bc[1:] / bc[:-1] - 1, index=pd.to_datetime(bench["date"].iloc[1:]).to_numpy())
        joined = pd.concat([rs, bs], axis=1, join="inner")
        a, b = joined.iloc[:, 0].to_numpy(), joined.iloc[:, 1].to_numpy()
        alpha, beta = ep.alpha_beta(a, b, annualization=ann)
        out.update({"aligned_count": len(a), "alpha": f(alpha), "beta": f(beta),
                    "information_ratio": f(ep.excess_sharpe(a, b))})
    return out


def sma(x, n):
    return pd.Series(x).rolling(n).mean().to_numpy()


def ema(x, n):
    """EMA seeded with the SMA of the first n values (NaN before)."""
    s = pd.Series(np.asarray(x, float).copy())
    seed = s.iloc[:n].mean()
    s.iloc[: n - 1] = np.nan
    s.iloc[n - 1] = seed
    return s.ewm(span=n, adjust=False).mean().to_numpy()


def wilder(x, n, first):
    """Wilder smoothing of x[first:] seeded with the mean of its first n values."""
    s = pd.Series(np.asarray(x, float).copy())
    seed = s.iloc[first:first + n].mean()
    s.iloc[: first + n - 1] = np.nan
    s.iloc[first + n - 1] = seed
    return s.ewm(alpha=1 / n, adjust=False).mean().to_numpy()


def indicators(df):
    c, h, l = df["close"].to_numpy(), df["high"].to_numpy(), df["low"].to_numpy()
    cs = pd.Series(c)
    d = np.diff(c, prepend=np.nan)
    gain, loss = np.where(d > 0, d, 0.0), np.where(d < 0, -d, 0.0)
    ag, al = wilder(gain, 14, 1), wilder(loss, 14, 1)
    rsi = np.where(al == 0, 100.0, 100 - 100 / (1 + ag / al))
    rsi[np.isnan(ag)] = np.nan
    macd = ema(c, 12) - ema(c, 26)
    sig = np.full(len(c), np.nan)
    sig[25:] = ema(macd[25:], 9)
    prev = np.concatenate([[np.nan], c[:-1]])
    tr = np.nanmax(np.vstack([h - l, np.abs(h - prev), np.abs(l - prev)]), axis=0)
    tr[0] = h[0] - l[0]
    mid = sma(c, 20)
    sd0 = cs.rolling(20).std(ddof=0).to_numpy()
    sd1 = cs.rolling(20).std(ddof=1).to_numpy()
    return {
        "sma_20": arr(mid), "ema_10": arr(ema(c, 10)), "rsi_14": arr(rsi),
        "macd": arr(macd), "macd_signal": arr(sig), "macd_histogram": arr(macd - sig),
        "bollinger_upper": arr(mid + 2 * sd0), "bollinger_lower": arr(mid - 2 * sd0),
        "atr_14": arr(wilder(tr, 14, 0)), "rolling_std_20": arr(sd1),
        "zscore_20": arr((c - mid) / sd1), "roc_10": arr(cs.pct_change(10, fill_method=None)),
    }


def backtest(df, kind, fast, slow, commission, short):
    data = pd.DataFrame({"Open": df["open"].to_numpy(), "High": df["high"].to_numpy(),
                         "Low": df["low"].to_numpy(), "Close": df["close"].to_numpy(),
                         "Volume": df["volume"].to_numpy()},
                        index=pd.to_datetime(df["date"]))
    avg = sma if kind == "sma" else ema

    class Cross(Strategy):
        def init(self):
            self.f = self.I(avg, self.data.Close, fast)
            self.s = self.I(avg, self.data.Close, slow)

        def next(self):
            if crossover(self.f, self.s):
                self.buy()
            elif crossover(self.s, self.f):
                if short:
                    self.sell()
                else:
                    self.position.close()

    bt = Backtest(data, Cross, cash=100_000, commission=commission, spread=0.0,
                  trade_on_close=False, exclusive_orders=True, hedging=False,
                  finalize_trades=False)
    st = bt.run()
    t = st._trades
    trades = [{"entry_bar": int(x.EntryBar), "exit_bar": int(x.ExitBar), "size": int(x.Size),
               "entry_price": float(x.EntryPrice), "exit_price": float(x.ExitPrice),
               "pnl": float(x.PnL), "return": float(x.ReturnPct),
               "commission": float(x.Commission)} for x in t.itertuples()]
    still = [{"entry_bar": int(x.entry_bar), "size": int(x.size), "entry_price": float(x.entry_price)}
             for x in st._strategy.trades]
    equity = st._equity_curve["Equity"].to_numpy()
    er = equity[1:] / equity[:-1] - 1
    return {"strategy": kind + "_crossover", "fast": fast, "slow": slow,
            "commission": commission, "allow_short": short, "cash": 100_000,
            "trades": trades, "open_trades": still, "equity": arr(equity),
            "win_rate": f(st["Win Rate [%]"] / 100) if len(trades) else None,
            "sharpe": f(ep.sharpe_ratio(er)), "max_drawdown": f(ep.max_drawdown(er))}


def features():
    rng = np.random.default_rng(11)
    frames = []
    for tic, p0 in (("AAPL", 150.0), ("MSFT", 300.0)):
        n = 40
        o, h, l, c, v = ohlcv(rng, n, p0, 0.02, 0.0, 2)
        dates = pd.bdate_range("2022-03-01", periods=n).strftime("%Y-%m-%d")
        adj = np.round(c * 0.98, 4)
        frames.append(pd.DataFrame({"date": dates, "tic": tic, "open": o, "high": h, "low": l,
                                    "close": c, "adjcp": adj, "volume": v}))
    df = pd.concat(frames).sort_values(["date", "tic"], kind="stable").reset_index(drop=True)
    df.to_csv(os.path.join(OUT, "trademaster_long.csv"), index=False)
    df = read(os.path.join(OUT, "trademaster_long.csv"))
    out = {}
    for tic, g in df.groupby("tic"):
        g = g.reset_index(drop=True)
        e = {"zopen": g.open / g.close - 1, "zhigh": g.high / g.close - 1,
             "zlow": g.low / g.close - 1, "zadjcp": g.adjcp / g.close - 1,
             "zclose": g.close / g.close.shift(1) - 1}
        for k in (5, 10, 15, 20, 25, 30):
            e["zd_%d" % k] = g.close.rolling(k).mean() / g.close - 1
        out[tic] = {k: arr(v) for k, v in e.items()}
    return out


def main():
    daily, intraday = daily_frame(), intraday_frame()
    bench = benchmark_frame(daily)
    for name, frame in (("daily", daily), ("intraday", intraday), ("benchmark", bench)):
        frame.to_csv(os.path.join(OUT, name + ".csv"), index=False)
    daily, intraday, bench = (read(os.path.join(OUT, n + ".csv"))
                              for n in ("daily", "intraday", "benchmark"))
    fixtures = {
        "metrics_daily": metrics(daily, 252, bench),
        "metrics_intraday": metrics(intraday, 252 * 390),
        "indicators_daily": indicators(daily),
        "backtest_daily_sma": backtest(daily, "sma", 10, 30, 0.001, False),
        "backtest_daily_sma_short": backtest(daily, "sma", 10, 30, 0.001, True),
        "backtest_intraday_ema": backtest(intraday, "ema", 5, 20, 0.0005, False),
        "backtest_intraday_sma_short": backtest(intraday, "sma", 8, 40, 0.0002, True),
        "features_trademaster": features(),
    }
    for name, value in fixtures.items():
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            json.dump(value, fh, separators=(",", ":"))
    print("wrote", len(fixtures), "fixtures to", os.path.abspath(OUT))


if __name__ == "__main__":
    main()
