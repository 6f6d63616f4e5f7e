"""Resources against the live API: problems, credentials, pagination, idempotency, bars."""
from __future__ import annotations

import uuid

import pandas as pd
import pytest

from trademaster_client import Client, Conflict, NotFound, Problem, Unauthorized, ValidationFailed


def test_a_422_carries_the_rfc9457_fields(client):
    with pytest.raises(ValidationFailed) as caught:
        client.strategies.create(name="bad", kind="sma_crossover", parameters={"fast": 30, "slow": 10})
    problem = caught.value
    assert problem.status == 422
    assert problem.title and problem.type and problem.instance
    assert problem.request_id
    assert any(p.startswith("/parameters/") for p in problem.pointers), problem.errors
    assert problem.body["status"] == 422


def test_another_users_object_is_not_found(client, base_url, account):
    mine = client.strategies.create(name="mine", kind="sma_crossover", parameters={"fast": 5, "slow": 20})
    other = Client(base_url)
    username = "py_" + uuid.uuid4().hex[:10]
    other.auth.register(username, f"{username}@example.com", "Correct-Horse-42")
    other.login(username, "Correct-Horse-42")
    with pytest.raises(NotFound) as caught:
        other.strategies.get(mine.id)
    assert caught.value.status == 404 and caught.value.request_id
    with pytest.raises(Conflict):
        client.strategies.create(name="MINE", kind="sma_crossover", parameters={"fast": 5, "slow": 20})


def test_tokens_are_refreshed_before_expiry_and_after_a_401(client):
    first = client.tokens
    client._t.expires_at = 1.0  # as if the access token were about to expire
    assert client.auth.me().username
    second = client.tokens
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    client._t.access_token = "not-a-token"  # rejected: the client refreshes once and retries
    assert client.auth.me().username
    assert client.tokens["refresh_token"] != second["refresh_token"]
    # A used refresh token revokes the session, as the API promises.
    client._t.refresh_token = second["refresh_token"]
    with pytest.raises(Unauthorized):
        client.refresh()


def test_api_keys_authenticate_and_revoke(client, base_url):
    key = client.api_keys.create("notebook")
    assert key.key and key.prefix
    with Client(base_url, api_key=key.key) as program:
        assert program.auth.me().id == client.auth.me().id
        assert [k.id for k in client.api_keys.list()] == [key.id]
        client.api_keys.revoke(key.id)
        with pytest.raises(Unauthorized):
            program.auth.me()


def test_lists_are_iterated_across_pages(client):
    made = {client.strategies.create(name=f"s{i}", kind="sma_crossover", parameters={"fast": 5, "slow": 20 + i}).id for i in range(7)}
    seen = [s.id for s in client._t.pages(__import__("trademaster_client._operations", fromlist=["x"]).STRATEGIES, page_size=3)]
    assert set(seen) == made and len(seen) == 7
    assert {s.id for s in client.strategies.list()} == made


def test_execute_with_an_idempotency_key_starts_one_run(client, aaa_csv):
    ds = client.datasets.upload(aaa_csv, name="exec", symbol="AAA")
    st = client.strategies.create(name="exec", kind="sma_crossover", parameters={"fast": 10, "slow": 30})
    key = str(uuid.uuid4())
    first = client.strategies.execute(st.id, dataset_id=ds.id, symbol="AAA", idempotency_key=key)
    again = client.strategies.execute(st.id, dataset_id=ds.id, symbol="AAA", idempotency_key=key)
    assert first.id == again.id
    assert len(list(client.strategies.runs(st.id))) == 1
    # The same key with another body is refused, not replayed.
    with pytest.raises(ValidationFailed):
        client.strategies.execute(st.id, dataset_id=ds.id, symbol="AAA", commission=0.5, idempotency_key=key)


def test_bars_are_an_ohlcv_frame_equal_to_the_file(client, aaa_csv):
    ds = client.datasets.upload(aaa_csv, name="bars", symbol="AAA", tags=["daily", "test"])
    assert client.datasets.get(ds.id).tags == ["daily", "test"]
    bars = client.datasets.bars(ds.id)
    source = pd.read_csv(aaa_csv, parse_dates=["date"])
    assert list(bars.columns) == ["open", "high", "low", "close", "volume"]
    assert len(bars) == len(source)
    assert bars.index[0] == pd.Timestamp(source["date"].iloc[0], tz="UTC")
    assert (bars["close"].to_numpy() == source["close"].to_numpy()).all()
    narrowed = client.datasets.bars(ds.id, start="2021-02-01", end="2021-03-01")
    assert narrowed.index.min() >= pd.Timestamp("2021-02-01", tz="UTC") and narrowed.index.max() < pd.Timestamp("2021-03-01", tz="UTC")
    assert client.datasets.csv(ds.id).splitlines()[0].startswith("date")
    client.datasets.delete(ds.id)
    with pytest.raises(NotFound):
        client.datasets.get(ds.id)


def test_a_bad_upload_names_line_and_column(client):
    with pytest.raises(ValidationFailed) as caught:
        client.datasets.upload(b"date,open,high,low,close,volume\n2021-01-04,1,2,0.5,oops,10\n", name="broken")
    assert caught.value.errors, caught.value
    assert isinstance(caught.value, Problem)


def test_kinds_and_the_trademaster_catalogue(client):
    kinds = {k.name: k for k in client.strategies.kinds()}
    assert {"fast", "slow"} <= {p.name for p in kinds["sma_crossover"].parameters}
    catalogue = client.trademaster.catalogue(task="algorithmic_trading")
    assert [t.name for t in catalogue.tasks] == ["algorithmic_trading"]
    assert "algorithmic_trading:BTC" in [d.qualified_name for d in catalogue.tasks[0].datasets]
    assert catalogue.circuit.state in {"closed", "open", "half_open"}
    with pytest.raises(ValidationFailed) as caught:
        client.trademaster.catalogue(task="nope")
    assert caught.value.pointers == ["task"]
