"""Turning API answers into pandas objects."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

import pandas as pd


def times(values: Iterable[Any]) -> pd.DatetimeIndex:
    """RFC 3339 strings as a UTC DatetimeIndex named ``time``."""
    return pd.DatetimeIndex(pd.to_datetime(list(values), utc=True), name="time")


def equity_frame(points: List[Dict[str, Any]]) -> pd.DataFrame:
    """``[{time, equity, drawdown, position}]`` as a frame indexed by time (nulls as NaN)."""
    frame = pd.DataFrame(points, columns=["time", "equity", "drawdown", "position"])
    frame.index = times(frame.pop("time"))
    for column in ("equity", "drawdown"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def trades_frame(trades: List[Dict[str, Any]]) -> pd.DataFrame:
    """Trades as a frame, one row per trade, times parsed."""
    frame = pd.DataFrame(list(trades))
    for column in frame.columns:
        if column.endswith("_time") or column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def bars_frame(answer: Dict[str, Any]) -> pd.DataFrame:
    """The column-wise bars answer as an OHLCV frame indexed by time."""
    frame = pd.DataFrame({k: answer.get(k, []) for k in ("open", "high", "low", "close", "volume")}, dtype="float64")
    frame.index = times(answer.get("time", []))
    frame.attrs["symbol"] = answer.get("symbol")
    frame.attrs["source_rows"] = answer.get("source_rows")
    frame.attrs["bucketed"] = answer.get("bucketed")
    return frame
