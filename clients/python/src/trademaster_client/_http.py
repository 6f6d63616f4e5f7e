"""The transport: credentials (login tokens refreshed automatically, or an API key),
retries with backoff, Idempotency-Key on retried POSTs, and problems raised as exceptions."""
from __future__ import annotations

import random
import threading
import time
import uuid
from typing import Any, Dict, Iterator, Mapping, Optional

import httpx

from . import _operations as ops
from ._operations import Op
from ._record import Record, wrap
from .errors import Problem, TransportError, Unauthorized, problem_class

_RETRY_STATUSES = {429, 502, 503, 504}


class Transport:
    """One HTTP session with the API."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: Optional[str] = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        user_agent: str = "trademaster-client/0.1",
        http: Optional[httpx.Client] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = max(0, retries)
        self.backoff = backoff
        self.http = http or httpx.Client(base_url=self.base_url, timeout=timeout, headers={"User-Agent": user_agent})
        self.api_key = api_key
        self.access_token: Optional[str] = None
        self.refresh_token: Optional[str] = None
        self.expires_at: float = 0.0
        self._lock = threading.Lock()

    # Credentials

    def set_tokens(self, tokens: Mapping[str, Any]) -> None:
        """Keeps a token pair (``{access_token, refresh_token, expires_in}``)."""
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token")
        self.expires_at = time.monotonic() + float(tokens.get("expires_in") or 0)

    def clear_tokens(self) -> None:
        self.access_token = self.refresh_token = None
        self.expires_at = 0.0

    def refresh(self) -> None:
        """Trades the refresh token for a new pair (each refresh token works once)."""
        with self._lock:
            if not self.refresh_token:
                raise Unauthorized(401, "Unauthorized", "Signed out: no refresh token to renew the session with.")
            answer = self._send(ops.REFRESH, json={"refresh_token": self.refresh_token}, auth=False, retry=False)
            self.set_tokens(answer.json())

    def _auth_headers(self) -> Dict[str, str]:
        if self.access_token:
            # Renew a little before expiry rather than waste a request on a 401.
            if self.refresh_token and self.expires_at and time.monotonic() > self.expires_at - 30:
                self.refresh()
            return {"Authorization": f"Bearer {self.access_token}"}
        if self.api_key:
            return {"X-API-Key": self.api_key}
        return {}

    # Requests

    def request(
        self,
        op: Op,
        ids: Optional[Mapping[str, Any]] = None,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        files: Any = None,
        data: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        auth: bool = True,
    ) -> httpx.Response:
        """Sends ``op`` and returns the response; a 4xx/5xx raises its ``Problem``.

        GET, PUT, PATCH and DELETE are retried on connection failures, 429, 502, 503 and 504;
        a POST only when it carries an ``Idempotency-Key`` (every operation of
        ``IDEMPOTENT_POSTS`` gets one, made up when not given), so a retry can never start
        work twice. A 401 with a refresh token renews the session once and tries again."""
        extra = dict(headers or {})
        retry = op.method != "POST"
        if op.method == "POST" and op in ops.IDEMPOTENT_POSTS:
            extra["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
            retry = True
        clean = None if params is None else {k: _query_value(v) for k, v in params.items() if v is not None}
        try:
            return self._send(op, ids, params=clean, json=json, content=content, files=files, data=data, headers=extra, auth=auth, retry=retry)
        except Unauthorized:
            if not (auth and self.access_token and self.refresh_token):
                raise
            self.refresh()
            return self._send(op, ids, params=clean, json=json, content=content, files=files, data=data, headers=extra, auth=auth, retry=retry)

    def json(self, op: Op, ids: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Any:
        """``request`` decoded as JSON, objects as ``Record``s (None for a 204)."""
        response = self.request(op, ids, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return wrap(response.json())

    def pages(self, op: Op, ids: Optional[Mapping[str, Any]] = None, params: Optional[Mapping[str, Any]] = None, page_size: int = 100) -> Iterator[Record]:
        """Every item of a ``{items, total, limit, offset}`` list, fetched ``page_size`` at a time."""
        offset = 0
        while True:
            query = dict(params or {})
            query.update(limit=page_size, offset=offset)
            page = self.json(op, ids, params=query)
            items = page.get("items") or []
            yield from items
            offset += len(items)
            if not items or offset >= int(page.get("total") or 0):
                return

    def _send(self, op: Op, ids: Optional[Mapping[str, Any]] = None, *, auth: bool = True, retry: bool, headers: Optional[Mapping[str, str]] = None, files: Any = None, **kwargs: Any) -> httpx.Response:
        url = op.url(**(ids or {}))
        attempt = 0
        while True:
            sent = dict(headers or {})
            if auth:
                sent.update(self._auth_headers())
            try:
                if files is not None:
                    # Files may be open handles: rewind them for a second try.
                    for item in files.values() if isinstance(files, dict) else []:
                        handle = item[1] if isinstance(item, tuple) else item
                        if hasattr(handle, "seek"):
                            handle.seek(0)
                response = self.http.request(op.method, url, headers=sent, files=files, **kwargs)
            except (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError) as error:
                # A POST without a key is retried only when nothing can have been sent.
                if attempt < self.retries and (retry or isinstance(error, httpx.ConnectError)):
                    attempt += 1
                    time.sleep(self._delay(attempt, None))
                    continue
                raise TransportError(f"{op.method} {url}: {error}") from error
            if response.status_code in _RETRY_STATUSES and retry and attempt < self.retries:
                attempt += 1
                time.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400:
                raise _problem(response)
            return response

    def _delay(self, attempt: int, retry_after: Optional[str]) -> float:
        if retry_after:
            try:
                return min(float(retry_after), 30.0)
            except ValueError:
                pass
        return min(self.backoff * 2 ** (attempt - 1), 8.0) * random.uniform(1.0, 1.5)

    def close(self) -> None:
        self.http.close()


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.replace("+00:00", "Z")
    return value


def _problem(response: httpx.Response) -> Problem:
    body: Dict[str, Any] = {}
    try:
        decoded = response.json()
        if isinstance(decoded, dict):
            body = decoded
    except ValueError:
        pass
    retry_after: Optional[float] = None
    if "Retry-After" in response.headers:
        try:
            retry_after = float(response.headers["Retry-After"])
        except ValueError:
            retry_after = None
    cls = problem_class(response.status_code)
    return cls(
        status=int(body.get("status") or response.status_code),
        title=str(body.get("title") or response.reason_phrase),
        detail=body.get("detail") if body else response.text[:500] or None,
        type=str(body.get("type") or "about:blank"),
        instance=body.get("instance"),
        request_id=body.get("request_id") or response.headers.get("X-Request-ID"),
        errors=body.get("errors"),
        retry_after=retry_after,
        body=body,
    )
