"""The API's resources, one class each; ``Client`` holds one of every kind."""
from __future__ import annotations

import io
import json as _json
import os
import tempfile
import time
import webbrowser
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

import httpx
import pandas as pd

from . import _operations as ops
from ._frames import bars_frame, equity_frame, trades_frame
from ._record import Record, wrap
from ._wait import TERMINAL, wait_until_done

if TYPE_CHECKING:
    from ._http import Transport

PathOrFrame = Union[str, "os.PathLike[str]", pd.DataFrame, bytes]


def _body(**fields: Any) -> Dict[str, Any]:
    """The fields that were given (None means "leave out")."""
    return {k: v for k, v in fields.items() if v is not None}


def _time_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        value = value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


class _Resource:
    def __init__(self, transport: "Transport") -> None:
        self._t = transport


class Auth(_Resource):
    """The caller's account, sessions and API keys (``/api/v1/auth``)."""

    def register(self, username: str, email: str, password: str, full_name: Optional[str] = None) -> Record:
        """Creates an account (``agree_terms`` is sent as true)."""
        return self._t.json(ops.REGISTER, json=_body(username=username, email=email, password=password, full_name=full_name, agree_terms=True), auth=False)

    def me(self) -> Record:
        """The caller."""
        return self._t.json(ops.ME)

    def update_me(self, *, full_name: Optional[str] = None, email: Optional[str] = None) -> Record:
        """Changes the caller's name or email (a new email revokes their API keys)."""
        return self._t.json(ops.ME_UPDATE, json=_body(full_name=full_name, email=email))

    def change_password(self, current_password: str, new_password: str) -> Record:
        """Changes the password; other sessions end and API keys are revoked."""
        return self._t.json(ops.CHANGE_PASSWORD, json={"current_password": current_password, "new_password": new_password})

    def sessions(self) -> List[Record]:
        """The caller's sessions."""
        answer = self._t.json(ops.SESSIONS)
        return list(answer.get("items", answer) if isinstance(answer, dict) else answer)

    def end_session(self, session_id: Union[int, str]) -> None:
        """Ends one session."""
        self._t.request(ops.SESSION_DELETE, {"id": session_id})


class APIKeys(_Resource):
    """API keys for programs (made and revoked from a login session)."""

    def create(self, name: str, expires_at: Any = None) -> Record:
        """A new key; its secret (``key``) is shown only in this answer."""
        return self._t.json(ops.API_KEY_CREATE, json=_body(name=name, expires_at=_time_text(expires_at)))

    def list(self) -> List[Record]:
        """The caller's keys (without secrets)."""
        answer = self._t.json(ops.API_KEYS)
        return list(answer.get("items", []) if isinstance(answer, dict) else answer)

    def revoke(self, key_id: int) -> None:
        """Revokes a key at once."""
        self._t.request(ops.API_KEY_DELETE, {"id": key_id})


class Admin(_Resource):
    """User administration (admins)."""

    def users(self, q: Optional[str] = None) -> Iterator[Record]:
        """Every user (matching ``q``), page by page."""
        return self._t.pages(ops.ADMIN_USERS, params=_body(q=q))

    def update_user(self, user_id: int, *, role: Optional[str] = None, is_active: Optional[bool] = None) -> Record:
        """Changes a user's role or active flag."""
        return self._t.json(ops.ADMIN_USER_UPDATE, {"id": user_id}, json=_body(role=role, is_active=is_active))


class Datasets(_Resource):
    """Market data (``/api/v1/data``)."""

    def upload(
        self,
        source: PathOrFrame,
        *,
        name: str,
        symbol: Optional[str] = None,
        description: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        timezone: Optional[str] = None,
        dedupe: Optional[bool] = None,
        filename: Optional[str] = None,
    ) -> Record:
        """Uploads a CSV file (a path, its bytes, or a pandas DataFrame, written as CSV with its
        index when the index is named) as a new dataset; returns the dataset with its summary
        and quality report. Bad rows raise ``ValidationFailed`` whose ``errors`` give line,
        column and reason."""
        if isinstance(source, pd.DataFrame):
            frame = source
            keep_index = frame.index.name is not None
            payload = frame.to_csv(index=keep_index, date_format="%Y-%m-%dT%H:%M:%SZ" if _is_utc(frame) else None).encode()
            filename = filename or f"{name}.csv"
        elif isinstance(source, bytes):
            payload = source
            filename = filename or f"{name}.csv"
        else:
            with open(source, "rb") as handle:
                payload = handle.read()
            filename = filename or os.path.basename(os.fspath(source))
        fields = _body(
            name=name, symbol=symbol, description=description, tags=",".join(tags) if tags else None, timezone=timezone,
            dedupe=None if dedupe is None else ("true" if dedupe else "false"),
        )
        return self._t.json(ops.UPLOAD, data=fields, files={"file": (filename, io.BytesIO(payload), "text/csv")})

    def import_url(self, url: str, *, name: str, **fields: Any) -> Record:
        """Imports a CSV by URL as a job (202): the answer names the job (see ``Jobs.wait``)."""
        return self._t.json(ops.IMPORT, json=_body(url=url, name=name, **fields))

    def preprocess(self, dataset_id: int, steps: Sequence[Mapping[str, Any]], *, name: str, **fields: Any) -> Record:
        """Derives a dataset through preprocessing ``steps`` (a job above the sync limit)."""
        return self._t.json(ops.PREPROCESS, json=_body(dataset_id=dataset_id, steps=list(steps), name=name, **fields))

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your datasets (every page; filters as the API's query parameters)."""
        return self._t.pages(ops.DATASETS, params=filters)

    def get(self, dataset_id: int) -> Record:
        """One dataset."""
        return self._t.json(ops.DATASET, {"id": dataset_id})

    def update(self, dataset_id: int, *, if_match: Optional[Union[int, str]] = None, **fields: Any) -> Record:
        """Changes name, description, tags or timezone; ``if_match`` (a version) guards against lost updates."""
        return self._t.json(ops.DATASET_UPDATE, {"id": dataset_id}, json=fields, headers=_if_match(if_match))

    def delete(self, dataset_id: int) -> None:
        """Deletes a dataset and its bars."""
        self._t.request(ops.DATASET_DELETE, {"id": dataset_id})

    def bars(self, dataset_id: int, symbol: Optional[str] = None, *, start: Any = None, end: Any = None, max_points: Optional[int] = None) -> pd.DataFrame:
        """A symbol's bars as an OHLCV DataFrame indexed by UTC time."""
        answer = self._t.json(ops.BARS, {"id": dataset_id}, params=_body(symbol=symbol, start=_time_text(start), end=_time_text(end), max_points=max_points))
        return bars_frame(answer)

    def csv(self, dataset_id: int, symbol: Optional[str] = None) -> str:
        """The dataset as CSV text in its file's own layout."""
        return self._t.request(ops.BARS, {"id": dataset_id}, params=_body(format="csv", symbol=symbol)).text

    def chart_svg(self, dataset_id: int, **params: Any) -> str:
        """The price chart as SVG."""
        return self._t.request(ops.DATASET_CHART, {"id": dataset_id}, params=params).text


def _is_utc(frame: pd.DataFrame) -> bool:
    return isinstance(frame.index, pd.DatetimeIndex) and frame.index.tz is not None


def _if_match(version: Optional[Union[int, str]]) -> Dict[str, str]:
    if version is None:
        return {}
    text = str(version)
    return {"If-Match": text if text.startswith('"') or text.startswith("W/") else f'"{text}"'}


class Strategies(_Resource):
    """Strategies, their execution and their runs (``/api/v1/strategies``)."""

    def kinds(self) -> List[Record]:
        """The built-in kinds with their parameters."""
        answer: Record = self._t.json(ops.STRATEGY_KINDS)
        return list(answer["items"])

    def create(
        self,
        name: str,
        kind: Optional[str] = None,
        parameters: Optional[Mapping[str, Any]] = None,
        *,
        strategy_type: str = "algorithmic_trading",
        engine: Optional[str] = None,
        config: Optional[Mapping[str, Any]] = None,
        trading: Optional[Mapping[str, Any]] = None,
        description: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        category: Optional[str] = None,
    ) -> Record:
        """A new strategy: ``kind`` and ``parameters`` for the built-in engine, or ``config``
        for a TradeMaster one (the engine follows from which is given)."""
        engine = engine or ("trademaster" if config is not None and kind is None else "builtin")
        body = _body(
            name=name, kind=kind, parameters=dict(parameters) if parameters is not None else None, strategy_type=strategy_type,
            engine=engine, config=dict(config) if config is not None else None, trading=dict(trading) if trading is not None else None,
            description=description, tags=list(tags) if tags is not None else None, category=category,
        )
        return self._t.json(ops.STRATEGY_CREATE, json=body)

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your strategies (every page); filters ``strategy_type``, ``status``, ``engine``, ``tag``, ``q``, ``sort``."""
        return self._t.pages(ops.STRATEGIES, params=filters)

    def get(self, strategy_id: int) -> Record:
        """One strategy."""
        return self._t.json(ops.STRATEGY, {"id": strategy_id})

    def update(self, strategy_id: int, *, if_match: Optional[Union[int, str]] = None, **fields: Any) -> Record:
        """Changes fields (PATCH); ``if_match`` (the version you read) makes a concurrent edit a 412."""
        return self._t.json(ops.STRATEGY_UPDATE, {"id": strategy_id}, json=fields, headers=_if_match(if_match))

    def replace(self, strategy_id: int, definition: Mapping[str, Any], *, if_match: Optional[Union[int, str]] = None) -> Record:
        """Replaces the editable fields (PUT)."""
        return self._t.json(ops.STRATEGY_REPLACE, {"id": strategy_id}, json=dict(definition), headers=_if_match(if_match))

    def delete(self, strategy_id: int) -> None:
        """Deletes a strategy (409 while a run is live)."""
        self._t.request(ops.STRATEGY_DELETE, {"id": strategy_id})

    def clone(self, strategy_id: int, name: str) -> Record:
        """A copy as a draft."""
        return self._t.json(ops.STRATEGY_CLONE, {"id": strategy_id}, json={"name": name})

    def execute(
        self,
        strategy_id: int,
        *,
        dataset_id: int,
        symbol: Optional[str] = None,
        symbols: Optional[Sequence[str]] = None,
        mode: str = "backtest",
        start: Any = None,
        end: Any = None,
        idempotency_key: Optional[str] = None,
        **trading: Any,
    ) -> Record:
        """Queues a run (backtest or paper) and returns it (``status: queued``); retried
        safely with an ``Idempotency-Key``. ``trading``: ``initial_capital``, ``commission``,
        ``slippage_bps``, ``allow_short``, ``bars_per_second``, ``benchmark``."""
        body = _body(dataset_id=dataset_id, symbol=symbol, symbols=list(symbols) if symbols else None, mode=mode, start=_time_text(start), end=_time_text(end), **trading)
        return self._t.json(ops.STRATEGY_EXECUTE, {"id": strategy_id}, json=body, idempotency_key=idempotency_key)

    def stop(self, strategy_id: int) -> Record:
        """Stops the strategy's live runs."""
        return self._t.json(ops.STRATEGY_STOP, {"id": strategy_id})

    def runs(self, strategy_id: int, **filters: Any) -> Iterator[Record]:
        """The strategy's runs, newest first."""
        return self._t.pages(ops.STRATEGY_RUNS, {"id": strategy_id}, params=filters)


class Runs(_Resource):
    """Runs: status, trades, equity, tear sheets (``/api/v1/runs``)."""

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your runs, newest first (filters ``status``, ``mode``)."""
        return self._t.pages(ops.RUNS, params=filters)

    def get(self, run_id: int) -> Record:
        """One run."""
        return self._t.json(ops.RUN, {"id": run_id})

    def delete(self, run_id: int) -> None:
        """Deletes a finished run."""
        self._t.request(ops.RUN_DELETE, {"id": run_id})

    def wait(self, run_id: int, *, timeout: Optional[float] = None, progress: bool = True, poll: float = 0.5) -> Record:
        """Waits for the run to finish (a tqdm bar of its progress); raises ``JobFailed`` if it failed."""
        return wait_until_done(lambda: self.get(run_id), f"run {run_id}", timeout=timeout, progress=progress, poll=poll)

    def trades(self, run_id: int) -> pd.DataFrame:
        """Every trade of the run as a DataFrame."""
        return trades_frame(list(self._t.pages(ops.RUN_TRADES, {"id": run_id})))

    def equity_frame(self, run_id: int, max_points: int = 1000) -> pd.DataFrame:
        """The equity curve with drawdown and position, indexed by time (at most ``max_points``, first and last bars always)."""
        answer = self._t.json(ops.RUN_EQUITY, {"id": run_id}, params={"max_points": max_points})
        return equity_frame(answer.get("points", []))

    def equity(self, run_id: int, max_points: int = 1000) -> pd.Series:
        """The equity curve as a Series indexed by time."""
        return self.equity_frame(run_id, max_points)["equity"]

    def report_html(self, run_id: int) -> str:
        """The tear sheet (one self-contained HTML page)."""
        return self._t.request(ops.RUN_REPORT, {"id": run_id}).text

    def open_report(self, run_id: int, path: Optional[str] = None) -> str:
        """Saves the tear sheet to ``path`` (a temporary file by default) and opens it in the browser; returns the path."""
        html = self.report_html(run_id)
        if path is None:
            handle, path = tempfile.mkstemp(prefix=f"tearsheet-run-{run_id}-", suffix=".html")
            os.close(handle)
        with open(path, "w", encoding="utf-8") as out:
            out.write(html)
        webbrowser.open("file://" + os.path.abspath(path))
        return path

    def equity_svg(self, run_id: int, width: Optional[int] = None, height: Optional[int] = None) -> str:
        """The equity chart as SVG."""
        return self._t.request(ops.RUN_EQUITY_SVG, {"id": run_id}, params=_body(width=width, height=height)).text


class BacktestResult(Record):
    """The answer of ``analysis.backtest``: ``run_id``, ``run``, ``metrics``,
    ``trade_statistics``, plus pandas views: ``equity`` (a Series whose last value is the
    final equity), ``curve`` (equity, drawdown and position) and ``trades`` (a DataFrame)."""

    @property
    def curve(self) -> pd.DataFrame:
        return equity_frame(self.get("equity_points") or [])

    @property
    def equity(self) -> pd.Series:  # type: ignore[override]
        return self.curve["equity"]

    @property
    def drawdown(self) -> pd.Series:
        return self.curve["drawdown"]

    @property
    def trades(self) -> pd.DataFrame:  # type: ignore[override]
        return trades_frame(self.get("trade_rows") or [])

    @property
    def final_equity(self) -> float:
        return float(self.equity.iloc[-1])


class Analysis(_Resource):
    """Backtests and analytics (``/api/v1/analysis``)."""

    def __init__(self, transport: "Transport", runs: Runs) -> None:
        super().__init__(transport)
        self._runs = runs

    def backtest(
        self,
        *,
        dataset_id: int,
        strategy_id: Optional[int] = None,
        kind: Optional[str] = None,
        parameters: Optional[Mapping[str, Any]] = None,
        symbol: Optional[str] = None,
        start: Any = None,
        end: Any = None,
        wait: bool = True,
        timeout: Optional[float] = None,
        progress: bool = True,
        idempotency_key: Optional[str] = None,
        **trading: Any,
    ) -> BacktestResult:
        """A backtest of a stored strategy (``strategy_id``) or an inline one (``kind`` and
        ``parameters``). Small ones answer at once; a large one is queued (202): with
        ``wait`` the client waits for its run and reads its equity and trades, so the result
        looks the same. ``trading``: ``initial_capital``, ``commission``, ``slippage_bps``,
        ``allow_short``, ``benchmark``."""
        body = _body(
            strategy_id=strategy_id, strategy=_body(kind=kind, parameters=dict(parameters) if parameters is not None else None) if kind else None,
            dataset_id=dataset_id, symbol=symbol, start=_time_text(start), end=_time_text(end), **trading,
        )
        response = self._t.request(ops.BACKTEST, json=body, idempotency_key=idempotency_key)
        answer = wrap(response.json())
        result = BacktestResult(answer)
        if response.status_code == 202 and wait:
            run = self._runs.wait(answer["run_id"], timeout=timeout, progress=progress)
            result["run"] = run
            result["metrics"] = run.get("metrics")
            result["equity_points"] = [dict(p) for p in self._t.json(ops.RUN_EQUITY, {"id": run["id"]}, params={"max_points": 1000}).get("points", [])]
            result["trade_rows"] = list(self._t.pages(ops.RUN_TRADES, {"id": run["id"]}))
        else:
            result["equity_points"] = answer.get("equity") or []
            result["trade_rows"] = answer.get("trades") or []
        result.pop("equity", None)
        result.pop("trades", None)
        return result

    def performance(self, **source: Any) -> Record:
        """The empyrical and TradeMaster metric sets: ``run_id=``, ``strategy_id=`` or ``dataset_id=`` with ``symbol=``."""
        return self._t.json(ops.PERFORMANCE, params=source)

    def risk(self, **source: Any) -> Record:
        """VaR, CVaR, drawdowns, rolling volatility, beta (same sources as ``performance``)."""
        return self._t.json(ops.RISK, params=source)

    def compare(self, run_ids: Sequence[int]) -> Record:
        """Metric sets of 2–20 runs and the correlation matrix of their returns."""
        return self._t.json(ops.COMPARE, json={"run_ids": list(run_ids)})

    def correlation(self, run_ids: Sequence[int]) -> pd.DataFrame:
        """``compare``'s correlation matrix as a DataFrame."""
        correlation = self.compare(run_ids)["correlation"]
        labels = [int(r) for r in correlation["run_ids"]]
        return pd.DataFrame(correlation["matrix"], index=labels, columns=labels, dtype="float64")


class MarketDynamics(_Resource):
    """TradeMaster market-dynamics labelling (``/api/v1/analysis/market-dynamics``)."""

    def start(self, *, start_date: str, end_date: str, number_of_market_style: int, labeling_method: str, dataset_name: Optional[str] = None, dataset_id: Optional[int] = None, idempotency_key: Optional[str] = None, **fields: Any) -> Record:
        """Starts a labelling job (202)."""
        body = _body(dataset_name=dataset_name, dataset_id=dataset_id, start_date=start_date, end_date=end_date, number_of_market_style=number_of_market_style, labeling_method=labeling_method, **fields)
        return self._t.json(ops.MD_START, json=body, idempotency_key=idempotency_key)

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your labellings."""
        return self._t.pages(ops.MD_LIST, params=filters)

    def get(self, analysis_id: int) -> Record:
        """One labelling."""
        return self._t.json(ops.MD_GET, {"id": analysis_id})

    def stop(self, analysis_id: int) -> Record:
        """Stops it."""
        return self._t.json(ops.MD_STOP, {"id": analysis_id})

    def save(self, analysis_id: int) -> Record:
        """Saves the labelling on the service (needed before a dynamics test)."""
        return self._t.json(ops.MD_SAVE, {"id": analysis_id})

    def dynamics_test(self, analysis_id: int, label: int) -> Record:
        """Starts a dynamics test of one label (202)."""
        return self._t.json(ops.MD_TEST, {"id": analysis_id}, json={"label": label})

    def image(self, analysis_id: int, name: str) -> bytes:
        """``visualization.png``, ``analysis.png`` or ``radar_{label}.png``."""
        return self._t.request(ops.MD_IMAGE, {"id": analysis_id, "name": name}).content

    def wait(self, analysis_id: int, *, timeout: Optional[float] = None, progress: bool = True) -> Record:
        """Waits until the labelling's step is finished."""
        return wait_until_done(lambda: self.get(analysis_id), f"market dynamics {analysis_id}", timeout=timeout, progress=progress)


class Training(_Resource):
    """Parameter searches and TradeMaster training (``/api/v1/training``)."""

    def __init__(self, transport: "Transport", realtime: "Realtime") -> None:
        super().__init__(transport)
        self._realtime = realtime

    def start(self, strategy_id: int, config: Optional[Mapping[str, Any]] = None, *, dataset_id: Optional[int] = None, name: Optional[str] = None, idempotency_key: Optional[str] = None) -> Record:
        """Starts a training (202): a parameter search for a built-in strategy
        (``config = {method, space, max_trials, objective, split, seed}``), a train → test
        for a TradeMaster one."""
        body = _body(strategy_id=strategy_id, dataset_id=dataset_id, name=name, config=dict(config) if config is not None else None)
        return self._t.json(ops.TRAINING_START, json=body, idempotency_key=idempotency_key)

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your trainings, newest first."""
        return self._t.pages(ops.TRAININGS, params=filters)

    def get(self, training_id: int) -> Record:
        """One training."""
        return self._t.json(ops.TRAINING, {"id": training_id})

    def status(self, training_id: int) -> Record:
        """Its status, progress, epochs or trials, metrics history and log tail."""
        return self._t.json(ops.TRAINING_STATUS, {"id": training_id})

    def stop(self, training_id: int) -> Record:
        """Stops it."""
        return self._t.json(ops.TRAINING_STOP, {"id": training_id})

    def apply(self, training_id: int) -> Record:
        """Writes a search's best parameters over the strategy's (a new version)."""
        return self._t.json(ops.TRAINING_APPLY, {"id": training_id})

    def plot_png(self, training_id: int) -> bytes:
        """A TradeMaster test's result plot."""
        return self._t.request(ops.TRAINING_PLOT, {"id": training_id}).content

    def wait(self, training_id: int, *, timeout: Optional[float] = None, progress: bool = True, poll: float = 0.5) -> Record:
        """Waits for it to finish, with a tqdm bar."""
        return wait_until_done(lambda: self.get(training_id), f"training {training_id}", timeout=timeout, progress=progress, poll=poll)

    def watch(self, training_id: int, *, timeout: Optional[float] = None) -> Iterator[Record]:
        """Its live events (``training.trial``, ``training.epoch``, ``job.progress``,
        ``job.status``…) from its job's channel, until the job's status is final."""
        training = self.get(training_id)
        if training.get("status") in TERMINAL:
            return iter(())
        return self._realtime.events(f"job:{training['job_id']}", until_final=True, timeout=timeout)

    def trials(self, training: Mapping[str, Any]) -> pd.DataFrame:
        """A finished search's trials (parameters and scores) as a DataFrame."""
        rows = []
        for trial in (training.get("result") or {}).get("trials", []):
            row = dict(trial.get("parameters", {}))
            row.update({k: v for k, v in trial.items() if k != "parameters"})
            rows.append(row)
        return pd.DataFrame(rows)


class Jobs(_Resource):
    """The job queue (``/api/v1/jobs``)."""

    def list(self, **filters: Any) -> Iterator[Record]:
        """Your jobs (filters ``status``, ``kind``)."""
        return self._t.pages(ops.JOBS, params=filters)

    def get(self, job_id: int) -> Record:
        """One job."""
        return self._t.json(ops.JOB, {"id": job_id})

    def cancel(self, job_id: int) -> Record:
        """Cancels it (a running one stops at its next progress report)."""
        return self._t.json(ops.JOB_CANCEL, {"id": job_id})

    def wait(self, job_id: int, *, timeout: Optional[float] = None, progress: bool = True, poll: float = 0.5, raise_on_failure: bool = True) -> Record:
        """Polls the job until it is finished, with a tqdm progress bar (a widget in
        notebooks); raises ``JobFailed`` when it failed or was cancelled."""
        return wait_until_done(lambda: self.get(job_id), f"job {job_id}", timeout=timeout, progress=progress, poll=poll, raise_on_failure=raise_on_failure)


class Realtime(_Resource):
    """Real-time events: a ticket, then EventSource through nginx, as a browser does."""

    def tickets(self, channels: Sequence[str]) -> List[Record]:
        """One single-use subscribe ticket per channel (``run:12``, ``job:7``, ``training:3``, ``user``)."""
        return list(self._t.json(ops.TICKETS, json={"channels": list(channels)})["tickets"])

    def events(self, channel: str, *, last_event_id: Optional[str] = None, until_final: bool = False, timeout: Optional[float] = None, reconnects: int = 5) -> Iterator[Record]:
        """Yields the channel's event envelopes (``{type, channel, seq, time, data}``) as
        they come. When the stream breaks, it takes a new ticket and resumes from the last
        event id (nginx replays what was missed). ``until_final`` stops after a
        ``*.status`` event with a final status; ``timeout`` bounds the whole iteration."""
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        while True:
            ticket = self.tickets([channel])[0]
            url = ticket["eventsource_url"]
            if last_event_id:
                url += ("&" if "?" in url else "?") + "last_event_id=" + httpx.QueryParams({"x": last_event_id})["x"]
            read_timeout = 30.0 if deadline is None else max(0.1, deadline - time.monotonic())
            try:
                with self._t.http.stream("GET", url, headers={"Accept": "text/event-stream"}, timeout=httpx.Timeout(10.0, read=read_timeout)) as response:
                    if response.status_code >= 400:
                        response.read()
                        from ._http import _problem

                        raise _problem(response)
                    for event_id, data in _server_sent_events(response.iter_lines()):
                        if event_id:
                            last_event_id = event_id
                        failures = 0
                        try:
                            envelope = wrap(_json.loads(data))
                        except ValueError:
                            continue
                        yield envelope
                        status = (envelope.get("data") or {}).get("status") if isinstance(envelope.get("data"), dict) else None
                        if until_final and str(envelope.get("type", "")).endswith(".status") and status in TERMINAL:
                            return
                        if deadline is not None and time.monotonic() > deadline:
                            return
            except (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError):
                failures += 1
            if deadline is not None and time.monotonic() > deadline:
                return
            if failures > reconnects:
                return
            time.sleep(min(0.2 * 2**failures, 2.0))


def _server_sent_events(lines: Iterable[str]) -> Iterator["tuple[Optional[str], str]"]:
    """(id, data) of each event of an EventSource stream (comments and retries skipped)."""
    event_id: Optional[str] = None
    data: List[str] = []
    for line in lines:
        if line == "":
            if data:
                yield event_id, "\n".join(data)
            data = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field == "id":
            event_id = value
    if data:
        yield event_id, "\n".join(data)


class TradeMaster(_Resource):
    """What the TradeMaster research service offers (``/api/v1/trademaster``)."""

    def catalogue(self, task: Optional[str] = None) -> Record:
        """Its tasks, datasets (with date ranges), agents, optimizers and losses, with the
        circuit breaker's state and whether the copy is stale."""
        return self._t.json(ops.TM_CATALOGUE, params=_body(task=task))


class System(_Resource):
    """Liveness, readiness and the OpenAPI document."""

    def health(self) -> Record:
        return self._t.json(ops.HEALTH, auth=False)

    def status(self) -> Record:
        """Readiness; a 503 report is returned, not raised."""
        response = self._t.http.get(ops.STATUS.path)
        return wrap(response.json())

    def openapi(self) -> Record:
        return self._t.json(ops.OPENAPI, auth=False)
