"""``Client``: one object for the whole API."""
from __future__ import annotations

from typing import Any, Optional

import httpx

from . import _operations as ops
from ._http import Transport
from ._record import Record
from .resources import (
    Admin,
    Analysis,
    APIKeys,
    Auth,
    Datasets,
    Jobs,
    MarketDynamics,
    Realtime,
    Runs,
    Strategies,
    System,
    TradeMaster,
    Training,
)


class Client:
    """The TradeMaster Web Backend API.

    ``Client("https://api.example.com")`` then ``login(username, password)`` (the session's
    tokens are refreshed automatically), or ``Client(url, api_key="tmk_…")`` for programs.
    Resources: ``auth``, ``api_keys``, ``admin``, ``datasets``, ``strategies``, ``runs``,
    ``analysis`` (with ``analysis.market_dynamics``), ``training``, ``jobs``, ``realtime``,
    ``trademaster``, ``system``. Errors are raised as ``Problem`` subclasses carrying the
    RFC 9457 fields."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: Optional[str] = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        verify: Any = True,
        http: Optional[httpx.Client] = None,
    ) -> None:
        base = base_url.rstrip("/")
        self._t = Transport(
            base, api_key=api_key, timeout=timeout, retries=retries, backoff=backoff,
            http=http or httpx.Client(base_url=base, timeout=timeout, verify=verify, headers={"User-Agent": "trademaster-client/0.1"}),
        )
        self.auth = Auth(self._t)
        self.api_keys = APIKeys(self._t)
        self.admin = Admin(self._t)
        self.datasets = Datasets(self._t)
        self.strategies = Strategies(self._t)
        self.runs = Runs(self._t)
        self.analysis = Analysis(self._t, self.runs)
        self.analysis.market_dynamics = MarketDynamics(self._t)  # type: ignore[attr-defined]
        self.realtime = Realtime(self._t)
        self.training = Training(self._t, self.realtime)
        self.jobs = Jobs(self._t)
        self.trademaster = TradeMaster(self._t)
        self.system = System(self._t)

    @property
    def base_url(self) -> str:
        return self._t.base_url

    def login(self, username: str, password: str, *, remember_me: bool = False) -> Record:
        """Signs in; returns the user. Tokens are kept and refreshed before they expire (and
        once more after a 401), each refresh token being used once, as the API requires."""
        answer = self._t.json(ops.LOGIN, json={"username": username, "password": password, "remember_me": remember_me}, auth=False)
        self._t.set_tokens(answer["tokens"])
        return answer["user"]

    def refresh(self) -> None:
        """Renews the session's tokens now."""
        self._t.refresh()

    def logout(self, *, all_devices: bool = False) -> None:
        """Ends the session (every session of the user with ``all_devices``)."""
        self._t.request(ops.LOGOUT, json={"all_devices": all_devices})
        self._t.clear_tokens()

    @property
    def tokens(self) -> Optional[dict]:
        """The current access and refresh tokens (None with an API key)."""
        if not self._t.access_token:
            return None
        return {"access_token": self._t.access_token, "refresh_token": self._t.refresh_token}

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
