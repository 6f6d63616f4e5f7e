"""Writes the bench's 200,000-row one-minute OHLCV CSV (seeded random walk, with gaps between sessions)."""
import sys
import numpy as np
import pandas as pd

n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
rng = np.random.default_rng(2024)
days = pd.bdate_range("2015-01-01", periods=n // 390 + 2)
stamps = (np.repeat(days.values, 390) + np.tile(np.arange(390) * 60_000_000_000 + 9.5 * 3600e9, len(days)).astype("timedelta64[ns]"))[:n]
close = 100 * np.exp(np.cumsum(rng.normal(0.000002, 0.0008, n)))
prev = np.concatenate([[100.0], close[:-1]])
open_ = prev * (1 + rng.normal(0, 0.0002, n))
high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.0003, n)))
low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.0003, n)))
df = pd.DataFrame({"date": pd.DatetimeIndex(stamps).strftime("%Y-%m-%d %H:%M:%S"),
                   "open": open_.round(4), "high": high.round(4), "low": low.round(4),
                   "close": close.round(4), "volume": rng.integers(100, 10_000, n)})
df["high"] = df[["open", "high", "close"]].max(axis=1)
df["low"] = df[["open", "low", "close"]].min(axis=1)
df.to_csv(sys.argv[1], index=False)
