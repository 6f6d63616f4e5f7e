"""Errors: every 4xx/5xx answer of the API is an RFC 9457 problem, raised as ``Problem``
(or the subclass for its status) with the problem's fields as attributes."""
from __future__ import annotations

from typing import Any, Dict, List, Optional


class TradeMasterError(Exception):
    """Base class of everything this client raises."""


class TransportError(TradeMasterError):
    """The server could not be reached (after the retries)."""


class Problem(TradeMasterError):
    """An RFC 9457 ``application/problem+json`` answer.

    Attributes are the problem's members: ``type``, ``title``, ``status``, ``detail``,
    ``instance``, ``request_id`` and ``errors`` (``[{"pointer", "detail"}]`` for 422s), plus
    ``retry_after`` (seconds, from the ``Retry-After`` header, for 429 and 503) and ``body``
    (the whole decoded problem, with any extension members).
    """

    def __init__(
        self,
        status: int,
        title: str = "",
        detail: Optional[str] = None,
        type: str = "about:blank",
        instance: Optional[str] = None,
        request_id: Optional[str] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
        retry_after: Optional[float] = None,
        body: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.instance = instance
        self.request_id = request_id
        self.errors: List[Dict[str, Any]] = list(errors or [])
        self.retry_after = retry_after
        self.body: Dict[str, Any] = dict(body or {})
        text = f"{status} {title}".strip()
        if detail:
            text += f": {detail}"
        if self.errors:
            text += " (" + "; ".join(f"{e.get('pointer', '')} {e.get('detail', '')}".strip() for e in self.errors) + ")"
        if request_id:
            text += f" [request {request_id}]"
        super().__init__(text)

    @property
    def pointers(self) -> List[str]:
        """The JSON pointers (or query parameter names) of ``errors``."""
        return [str(e.get("pointer", "")) for e in self.errors]


class BadRequest(Problem):
    """400: malformed JSON, query or form."""


class Unauthorized(Problem):
    """401: no credentials, or bad ones (a refresh was tried first)."""


class Forbidden(Problem):
    """403: the caller's role lacks the permission (or an API key on a session-only route)."""


class NotFound(Problem):
    """404: no such object, or not yours."""


class Conflict(Problem):
    """409: a duplicate name, or the object's state forbids the action."""


class PreconditionFailed(Problem):
    """412: the ``If-Match`` version is stale."""


class PayloadTooLarge(Problem):
    """413: the body is over the route's limit."""


class ValidationFailed(Problem):
    """422: fields are invalid; ``errors`` names them."""


class RateLimited(Problem):
    """429: throttled; ``retry_after`` says for how long."""


class ServiceUnavailable(Problem):
    """503: a dependency (PostgreSQL, Redis, TradeMaster) is down."""


class ServerError(Problem):
    """Any other 5xx."""


_BY_STATUS = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    422: ValidationFailed,
    429: RateLimited,
    503: ServiceUnavailable,
}


def problem_class(status: int) -> type:
    """The ``Problem`` subclass raised for ``status``."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else Problem


class JobFailed(TradeMasterError):
    """A waited-for job, run or training ended ``failed`` or ``cancelled``."""

    def __init__(self, what: str, record: Dict[str, Any]) -> None:
        self.record = record
        self.status = record.get("status")
        self.error = record.get("error")
        super().__init__(f"{what} {record.get('id')} ended {self.status}" + (f": {self.error}" if self.error else ""))


class WaitTimeout(TradeMasterError):
    """A wait ran past its ``timeout``."""
