"""Writes the bench's long-layout OHLCV CSV (`date,tic,open,high,low,close,volume`, the upload's
shape): `symbols` seeded random walks of one-minute bars, rows ordered by time, then symbol."""
import sys
import numpy as np
import pandas as pd

n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
symbols = int(sys.argv[3]) if len(sys.argv) > 3 else 5
minutes = n // symbols
rng = np.random.default_rng(2025)
days = pd.bdate_range("2015-01-01", periods=minutes // 390 + 2)
stamps = (np.repeat(days.values, 390) + np.tile(np.arange(390) * 60_000_000_000 + 9.5 * 3600e9, len(days)).astype("timedelta64[ns]"))[:minutes]
frames = []
for k in range(symbols):
    close = (20 + 30 * k) * np.exp(np.cumsum(rng.normal(0.000002, 0.0008, minutes)))
    prev = np.concatenate([[close[0]], close[:-1]])
    open_ = prev * (1 + rng.normal(0, 0.0002, minutes))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.0003, minutes)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.0003, minutes)))
    frame = pd.DataFrame({"t": np.arange(minutes), "k": k, "open": open_.round(4), "high": high.round(4),
                          "low": low.round(4), "close": close.round(4), "volume": rng.integers(100, 10_000, minutes)})
    frame["high"] = frame[["open", "high", "close"]].max(axis=1)
    frame["low"] = frame[["open", "low", "close"]].min(axis=1)
    frames.append(frame)
df = pd.concat(frames).sort_values(["t", "k"], kind="stable")
df.insert(0, "date", pd.DatetimeIndex(stamps[df["t"].to_numpy()]).strftime("%Y-%m-%d %H:%M:%S"))
df.insert(1, "tic", np.array([f"SYM{k:02d}" for k in range(symbols)])[df["k"].to_numpy()])
df.drop(columns=["t", "k"]).to_csv(sys.argv[1], index=False)
