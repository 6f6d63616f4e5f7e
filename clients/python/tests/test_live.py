"""Long work with a `tm worker` running (PythonClientTests starts one): waiting with a
progress bar, runs' trades and equity, a parameter search watched live over EventSource
through nginx, and the tear sheet."""
from __future__ import annotations

import pandas as pd
import pytest

from trademaster_client import JobFailed


def test_a_run_is_waited_for_and_read_as_pandas(client, aaa_csv, capsys):
    ds = client.datasets.upload(aaa_csv, name="run", symbol="AAA")
    st = client.strategies.create(name="run", kind="sma_crossover", parameters={"fast": 10, "slow": 30})
    run = client.strategies.execute(st.id, dataset_id=ds.id, symbol="AAA")
    assert run.status == "queued"
    done = client.runs.wait(run.id, timeout=60)
    assert done.status == "succeeded"
    assert "run %d" % run.id in capsys.readouterr().err  # the tqdm bar was drawn
    job = client.jobs.wait(run.job_id, timeout=10, progress=False)
    assert job.status == "succeeded" and job.progress == 1
    equity = client.runs.equity(run.id)
    reference = client.analysis.backtest(strategy_id=st.id, dataset_id=ds.id, symbol="AAA")
    assert equity.iloc[-1] == pytest.approx(reference.equity.iloc[-1], rel=1e-12)
    trades = client.runs.trades(run.id)
    assert isinstance(trades, pd.DataFrame) and len(trades) == len(reference.trades) > 0
    html = client.runs.report_html(run.id)
    assert html.lstrip().lower().startswith("<!doctype html")
    assert client.analysis.performance(run_id=run.id)
    # Two runs compared: their correlation matrix as a DataFrame, 1 on the diagonal.
    matrix = client.analysis.correlation([run.id, reference.run_id])
    assert list(matrix.index) == [run.id, reference.run_id]
    assert matrix.loc[run.id, run.id] == pytest.approx(1.0)
    assert matrix.loc[run.id, reference.run_id] == pytest.approx(1.0)  # the same strategy on the same bars


def test_a_parameter_search_is_watched_live(client, aaa_csv):
    ds = client.datasets.upload(aaa_csv, name="search", symbol="AAA")
    st = client.strategies.create(name="search", kind="sma_crossover", parameters={"fast": 10, "slow": 30})
    training = client.training.start(
        st.id, {"method": "grid", "space": {"fast": [5, 10], "slow": [20, 30, 40]}, "objective": "sharpe"}, dataset_id=ds.id,
    )
    events = list(client.training.watch(training.id, timeout=60))
    types = [e.type for e in events]
    assert types[-1] == "job.status" and events[-1].data.status == "succeeded", types
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    finished = client.training.wait(training.id, timeout=30, progress=False)
    assert finished.status == "succeeded"
    trials = client.training.trials(finished)
    assert len(trials) == 6 and {"fast", "slow"} <= set(trials.columns)


def test_a_stopped_paper_run_raises_job_failed(client):
    rows = b"".join(f"2021-01-{d:02d},{1 + d / 100},{2 + d / 100},{0.5 + d / 100},{1 + d / 100},1\n".encode() for d in range(1, 29))
    ds = client.datasets.upload(b"date,open,high,low,close,volume\n" + rows, name="paper", symbol="G")
    st = client.strategies.create(name="paper", kind="sma_crossover", parameters={"fast": 2, "slow": 5})
    run = client.strategies.execute(st.id, dataset_id=ds.id, symbol="G", mode="paper", bars_per_second=1)
    stopped = client.strategies.stop(st.id)
    assert stopped
    with pytest.raises(JobFailed) as caught:
        client.runs.wait(run.id, timeout=30, progress=False)
    assert caught.value.status == "cancelled"
    assert client.strategies.get(st.id).status != "active"
