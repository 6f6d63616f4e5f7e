"""Generates the reference fixtures of the portfolio backtests and the analysis functions
(Tests/QuantTests/Fixtures: portfolio.csv, portfolio_*.json, analysis_daily.json).

Independent of the Swift code: weights and rebalance dates with pandas (calendar periods
with `to_period`), the commission's fixed point with scipy's `brentq`, metrics with
empyrical-reloaded and scipy, tables with pandas. Run through `scripts/quant-reference/generate`.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import empyrical as ep
from scipy import optimize, stats as sps

sys.path.insert(0, os.path.dirname(__file__))
import generate as g  # noqa: E402  (the seeded data and helpers of the first fixtures)

OUT = g.OUT


def portfolio_frame():
    """Three symbols on business days of 2021–2022; C misses a few dates, B has a halt."""
    rng = np.random.default_rng(2024)
    dates = pd.bdate_range("2021-01-04", periods=420)
    frames = []
    for tic, p0, vol, drift in (("AAA", 50.0, 0.012, 0.0004), ("BBB", 120.0, 0.02, 0.0001), ("CCC", 20.0, 0.03, 0.0002)):
        o, h, l, c, v = g.ohlcv(rng, len(dates), p0, vol, drift, 4)
        if tic == "BBB":
            g.halt(o, h, l, c, v, 150, 6)
        frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "tic": tic, "open": o, "high": h,
                              "low": l, "close": c, "volume": v})
        if tic == "CCC":
            frame = frame.drop(index=[40, 41, 250])
        frames.append(frame)
    df = pd.concat(frames).sort_values(["date", "tic"], kind="stable").reset_index(drop=True)
    return df


def aligned(df):
    """Open and close matrices (dates × symbols) on the dates every symbol has."""
    o = df.pivot(index="date", columns="tic", values="open").dropna()
    c = df.pivot(index="date", columns="tic", values="close").dropna()
    return o, c


def sma_positions(close, fast, slow, short):
    """Position (1/0/-1) after each bar of an SMA crossover (backtesting.py's crossover rule)."""
    f, s = close.rolling(fast).mean().to_numpy(), close.rolling(slow).mean().to_numpy()
    state, out = 0.0, []
    for i in range(len(f)):
        if i > 0 and f[i - 1] < s[i - 1] and f[i] > s[i]:
            state = 1.0
        elif i > 0 and f[i - 1] > s[i - 1] and f[i] < s[i]:
            state = -1.0 if short else 0.0
        out.append(state)
    return np.array(out)


def reference_portfolio(o, c, weighting, schedule, every=1, lookback=20, fast=5, slow=20,
                        short=False, cash=100_000.0, commission=0.0, slippage_bps=0.0):
    dates = pd.to_datetime(c.index)
    n, m = c.shape
    O, C = o.to_numpy(), c.to_numpy()
    rate = commission + slippage_bps / 10_000
    rets = c.pct_change()
    vol = rets.rolling(lookback).std(ddof=1).to_numpy()  # vol[t]: returns t-lookback+1..t
    pos = None
    if weighting == "signal":
        pos = np.column_stack([sma_positions(c.iloc[:, j], fast, slow, short) for j in range(m)])
    if schedule == "weekly":
        key = dates.to_period("W-SUN")
    elif schedule == "monthly":
        key = dates.to_period("M")
    else:
        key = None

    def weights(t):
        if weighting == "equal":
            return np.full(m, 1 / m)
        if weighting == "inverse_volatility":
            if t < lookback or not np.all(vol[t] > 0):
                return None
            inv = 1 / vol[t]
            return inv / inv.sum()
        return pos[t] / m

    shares, money = np.zeros(m), cash
    equity, cash_col, fills = np.zeros(n), np.zeros(n), []
    pending, first, total_cost = None, None, 0.0
    for t in range(n):
        if pending is not None:
            w = pending
            h = shares * O[t]
            e = money + h.sum()
            f = lambda x: x - rate * np.abs(w * (e - x) - h).sum()
            cost = 0.0 if rate == 0 else optimize.brentq(f, 0.0, e, xtol=1e-14, rtol=4 * np.finfo(float).eps)
            v = w * (e - cost)
            shares = v / O[t]
            money = e - cost - v.sum()
            total_cost += cost
            fills.append(t)
            pending = None
        equity[t] = money + (shares * C[t]).sum()
        cash_col[t] = money
        if t == n - 1:
            break
        if first is None:
            due = True
        elif schedule == "daily":
            due = True
        elif schedule == "bars":
            due = (t - first) % every == 0
        else:
            due = key[t] != key[t + 1]
        if pos is not None and first is not None and np.any(pos[t] != pos[t - 1]):
            due = True
        if due:
            w = weights(t)
            if w is not None:
                pending = w
                if first is None:
                    first = t
    r = equity[1:] / equity[:-1] - 1
    return {"equity": g.arr(equity), "cash_series": g.arr(cash_col), "fills": fills,
            "final_shares": g.arr(shares), "total_cost": g.f(total_cost),
            "sharpe": g.f(ep.sharpe_ratio(r)), "max_drawdown": g.f(ep.max_drawdown(r)),
            "dates": list(c.index)}


PORTFOLIO_CASES = [
    ("equal_weight_monthly", "equal_weight", {"rebalance": "monthly"}, dict(weighting="equal", schedule="monthly"), 0.001, 0, False),
    ("equal_weight_daily", "equal_weight", {"rebalance": "daily"}, dict(weighting="equal", schedule="daily"), 0.0005, 0, False),
    ("equal_weight_bars", "equal_weight", {"rebalance": "bars", "rebalance_bars": 10}, dict(weighting="equal", schedule="bars", every=10), 0.0, 0, False),
    ("inverse_volatility_weekly", "inverse_volatility", {"rebalance": "weekly", "lookback": 20},
     dict(weighting="inverse_volatility", schedule="weekly", lookback=20), 0.002, 5, False),
    ("signal_sma_monthly", "portfolio_sma_crossover", {"rebalance": "monthly", "fast": 5, "slow": 20},
     dict(weighting="signal", schedule="monthly", fast=5, slow=20), 0.001, 0, False),
    ("signal_sma_short_bars", "portfolio_sma_crossover", {"rebalance": "bars", "rebalance_bars": 15, "fast": 8, "slow": 30},
     dict(weighting="signal", schedule="bars", every=15, fast=8, slow=30), 0.001, 2, True),
]


def portfolios(df):
    o, c = aligned(df)
    out = {"symbols": list(c.columns), "dates": list(c.index), "cases": []}
    for name, kind, params, ref, commission, slip, short in PORTFOLIO_CASES:
        res = reference_portfolio(o, c, short=short, commission=commission, slippage_bps=slip, **ref)
        res.pop("dates")
        out["cases"].append({"name": name, "kind": kind, "parameters": params, "commission": commission,
                             "slippage_bps": slip, "allow_short": short, "cash": 100_000, **res})
    return out


def top_drawdowns(returns, top=5):
    """pyfolio's get_top_drawdowns on the wealth curve that starts at 1 (row 0)."""
    wealth = pd.Series(np.concatenate([[1.0], np.cumprod(1 + returns)]))
    under = wealth / wealth.cummax() - 1
    out = []
    for _ in range(top):
        if len(under) == 0 or under.min() == 0:
            break
        valley = under.idxmin()
        before = under.loc[:valley]
        peak = before[before == 0].index[-1]
        after = under.loc[valley:]
        zeros = after[after == 0]
        recovery = int(zeros.index[0]) if len(zeros) else None
        end = recovery if recovery is not None else len(wealth) - 1
        out.append({"peak": int(peak), "trough": int(valley), "recovery": recovery,
                    "depth": g.f(under[valley]), "duration": int(end - peak)})
        if recovery is not None:
            under = under.drop(under.loc[peak:recovery].index[1:-1])
        else:
            under = under.loc[:peak]
    return out


def trade_stats(bt, n):
    t = pd.DataFrame(bt["trades"])
    pnl, ret = t["pnl"], t["return"]
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]

    def streak(mask):
        best = run = 0
        for v in mask:
            run = run + 1 if v else 0
            best = max(best, run)
        return best

    held = sum(int(x["exit_bar"]) - int(x["entry_bar"]) for x in bt["trades"])
    held += sum(n - int(x["entry_bar"]) for x in bt["open_trades"])
    return {"count": len(t), "wins": len(wins), "losses": len(losses), "win_rate": g.f(len(wins) / len(t)),
            "profit_factor": g.f(wins.sum() / -losses.sum()), "average_win": g.f(wins.mean()),
            "average_loss": g.f(losses.mean()), "average_win_return": g.f(ret[pnl > 0].mean()),
            "average_loss_return": g.f(ret[pnl < 0].mean()), "expectancy": g.f(pnl.mean()),
            "expectancy_return": g.f(ret.mean()),
            "average_bars_held": g.f((t["exit_bar"] - t["entry_bar"]).mean()),
            "exposure": g.f(held / n), "longest_win_streak": streak(pnl > 0),
            "longest_loss_streak": streak(pnl < 0), "open_trades": len(bt["open_trades"])}


def analysis(daily, bench, port):
    close = daily["close"].to_numpy()
    r = close[1:] / close[:-1] - 1
    idx = pd.to_datetime(daily["date"].iloc[1:]).to_numpy()
    rs = pd.Series(r, index=idx)
    monthly = ep.aggregate_returns(rs, "monthly")
    yearly = ep.aggregate_returns(rs, "yearly")
    sharpe = pd.Series(r).rolling(63)
    rolling_sharpe = (sharpe.mean() / sharpe.std(ddof=1) * np.sqrt(252)).to_numpy()

    def series_returns(frame):
        c = frame["close"].to_numpy()
        return pd.Series(c[1:] / c[:-1] - 1, index=pd.to_datetime(frame["date"].iloc[1:]).to_numpy())

    columns = [rs, series_returns(bench)] + [series_returns(port[port.tic == t].reset_index(drop=True))
                                             for t in ("AAA", "BBB", "CCC")]
    joined = pd.concat(columns, axis=1, join="inner")
    bt = g.backtest(daily, "sma", 10, 30, 0.001, False)
    return {
        "monthly": [{"year": int(y), "month": int(mo), "value": g.f(v)} for (y, mo), v in monthly.items()],
        "yearly": [{"year": int(y), "value": g.f(v)} for y, v in yearly.items()],
        "top_drawdowns": top_drawdowns(r),
        "skewness": g.f(sps.skew(r)), "kurtosis": g.f(sps.kurtosis(r)),
        "rolling_sharpe_63": g.arr(rolling_sharpe),
        "correlation": {"aligned_count": len(joined), "matrix": [g.arr(row) for row in joined.corr().to_numpy()]},
        "trade_statistics": trade_stats(bt, len(daily)),
    }


def main():
    port = portfolio_frame()
    port.to_csv(os.path.join(OUT, "portfolio.csv"), index=False)
    port = g.read(os.path.join(OUT, "portfolio.csv"))
    daily, bench = g.read(os.path.join(OUT, "daily.csv")), g.read(os.path.join(OUT, "benchmark.csv"))
    fixtures = {"portfolio_backtests": portfolios(port), "analysis_daily": analysis(daily, bench, port)}
    for name, value in fixtures.items():
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            json.dump(value, fh, separators=(",", ":"))
    print("wrote", len(fixtures), "fixtures to", os.path.abspath(OUT))


if __name__ == "__main__":
    main()
