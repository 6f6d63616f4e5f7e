"""The issue's contract, word for word, and its final equity against `tm backtest --json`."""
from __future__ import annotations

import json
import os
import subprocess

import pandas as pd
import pytest

from trademaster_client import BacktestResult, Client

# The API and `tm backtest` run the same engine on the same bars; the API stores the curve
# in PostgreSQL as double precision and sends it as JSON numbers, both exact for doubles.
# The tolerance allows for a last-digit difference in the decimal round trip only.
REL_TOLERANCE = 1e-12


def tm_backtest(tm_binary: str, csv_path: str, *extra: str) -> dict:
    output = subprocess.run(
        [tm_binary, "backtest", "--csv", csv_path, "--strategy", "sma_crossover", "--param", "fast=10", "--param", "slow=30", "--json", *extra],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output)


def test_the_issue_contract_matches_tm_backtest(base_url, account, aaa_csv, tm_binary, monkeypatch):
    username, password = account
    monkeypatch.chdir(aaa_csv.parent)
    # -- the contract, names exact --
    c = Client(base_url)
    c.login(username, password)
    ds = c.datasets.upload("AAA.csv", name="aaa", symbol="AAA")
    st = c.strategies.create(name="sma", kind="sma_crossover", parameters={"fast": 10, "slow": 30})
    res = c.analysis.backtest(strategy_id=st.id, dataset_id=ds.id, symbol="AAA")
    res.equity
    # --
    assert isinstance(res, BacktestResult)
    assert isinstance(res.equity, pd.Series)
    assert isinstance(res.equity.index, pd.DatetimeIndex) and str(res.equity.index.tz) == "UTC"
    reference = tm_backtest(tm_binary, str(aaa_csv))
    final = reference["summary"]["final_equity"]
    assert res.equity.iloc[-1] == pytest.approx(final, rel=REL_TOLERANCE)
    assert res.final_equity == pytest.approx(final, rel=REL_TOLERANCE)
    # The curve covers the file: first and last bars are always among the points.
    assert res.equity.index[0] == pd.Timestamp("2021-01-04", tz="UTC")
    assert res.equity.iloc[0] == pytest.approx(100_000.0)
    assert len(res.trades) == len(reference["trades"])
    assert res.run_id == res.run.id


def test_a_dataframe_upload_with_commission_matches_tm_backtest(client, aaa_csv, tm_binary):
    frame = pd.read_csv(aaa_csv, parse_dates=["date"]).set_index("date")
    frame.index = frame.index.tz_localize("UTC")
    ds = client.datasets.upload(frame, name="aaa-frame", symbol="AAA")
    assert ds.row_count == len(frame)
    res = client.analysis.backtest(
        kind="sma_crossover", parameters={"fast": 10, "slow": 30}, dataset_id=ds.id, symbol="AAA", commission=0.001, initial_capital=50_000,
    )
    reference = tm_backtest(tm_binary, str(aaa_csv), "--commission", "0.001", "--cash", "50000")
    assert res.equity.iloc[-1] == pytest.approx(reference["summary"]["final_equity"], rel=REL_TOLERANCE)
    assert res.equity.iloc[-1] != pytest.approx(50_000.0)  # it traded: a curve that stayed flat would prove nothing
    # The stored run answers the same curve and trades.
    stored = client.runs.equity(res.run_id)
    assert stored.iloc[-1] == pytest.approx(res.equity.iloc[-1], rel=REL_TOLERANCE)
    trades = client.runs.trades(res.run_id)
    assert len(trades) == len(res.trades) == len(reference["trades"])
