"""Every API operation this client calls, as (method, OpenAPI path). Resources call the API
only through these constants, and the test suite checks them against the live OpenAPI
document (``GET /api/v1/openapi.json``): each must exist there with its method, and each
operation of the document must be here or in ``EXCLUDED`` with a reason."""
from __future__ import annotations

from typing import Dict, NamedTuple, Tuple


class Op(NamedTuple):
    """One operation: its HTTP method and its path template as the OpenAPI document names it."""

    method: str
    path: str

    def url(self, **ids: object) -> str:
        """The path with ``{name}`` segments filled in."""
        return self.path.format(**{k: str(v) for k, v in ids.items()})


# System
HEALTH = Op("GET", "/health")
STATUS = Op("GET", "/api/v1/status")
OPENAPI = Op("GET", "/api/v1/openapi.json")
# Accounts and sessions
REGISTER = Op("POST", "/api/v1/auth/register")
LOGIN = Op("POST", "/api/v1/auth/login")
REFRESH = Op("POST", "/api/v1/auth/refresh")
ME = Op("GET", "/api/v1/auth/me")
ME_UPDATE = Op("PATCH", "/api/v1/auth/me")
CHANGE_PASSWORD = Op("POST", "/api/v1/auth/change-password")
LOGOUT = Op("POST", "/api/v1/auth/logout")
SESSIONS = Op("GET", "/api/v1/auth/sessions")
SESSION_DELETE = Op("DELETE", "/api/v1/auth/sessions/{id}")
API_KEY_CREATE = Op("POST", "/api/v1/auth/api-keys")
API_KEYS = Op("GET", "/api/v1/auth/api-keys")
API_KEY_DELETE = Op("DELETE", "/api/v1/auth/api-keys/{id}")
ADMIN_USERS = Op("GET", "/api/v1/admin/users")
ADMIN_USER_UPDATE = Op("PATCH", "/api/v1/admin/users/{id}")
# Market data
UPLOAD = Op("POST", "/api/v1/data/upload")
IMPORT = Op("POST", "/api/v1/data/import")
PREPROCESS = Op("POST", "/api/v1/data/preprocess")
DATASETS = Op("GET", "/api/v1/data/datasets")
DATASET = Op("GET", "/api/v1/data/datasets/{id}")
DATASET_UPDATE = Op("PATCH", "/api/v1/data/datasets/{id}")
DATASET_DELETE = Op("DELETE", "/api/v1/data/datasets/{id}")
BARS = Op("GET", "/api/v1/data/datasets/{id}/bars")
DATASET_CHART = Op("GET", "/api/v1/data/datasets/{id}/chart.svg")
# Strategies
STRATEGY_KINDS = Op("GET", "/api/v1/strategies/kinds")
STRATEGIES = Op("GET", "/api/v1/strategies")
STRATEGY_CREATE = Op("POST", "/api/v1/strategies")
STRATEGY = Op("GET", "/api/v1/strategies/{id}")
STRATEGY_UPDATE = Op("PATCH", "/api/v1/strategies/{id}")
STRATEGY_REPLACE = Op("PUT", "/api/v1/strategies/{id}")
STRATEGY_DELETE = Op("DELETE", "/api/v1/strategies/{id}")
STRATEGY_CLONE = Op("POST", "/api/v1/strategies/{id}/clone")
STRATEGY_EXECUTE = Op("POST", "/api/v1/strategies/{id}/execute")
STRATEGY_STOP = Op("POST", "/api/v1/strategies/{id}/stop")
STRATEGY_RUNS = Op("GET", "/api/v1/strategies/{id}/runs")
# Runs
RUNS = Op("GET", "/api/v1/runs")
RUN = Op("GET", "/api/v1/runs/{id}")
RUN_DELETE = Op("DELETE", "/api/v1/runs/{id}")
RUN_TRADES = Op("GET", "/api/v1/runs/{id}/trades")
RUN_EQUITY = Op("GET", "/api/v1/runs/{id}/equity")
RUN_REPORT = Op("GET", "/api/v1/runs/{id}/report.html")
RUN_EQUITY_SVG = Op("GET", "/api/v1/runs/{id}/equity.svg")
# Analysis
BACKTEST = Op("POST", "/api/v1/analysis/backtest")
PERFORMANCE = Op("GET", "/api/v1/analysis/performance")
RISK = Op("GET", "/api/v1/analysis/risk")
COMPARE = Op("POST", "/api/v1/analysis/compare")
MD_START = Op("POST", "/api/v1/analysis/market-dynamics")
MD_LIST = Op("GET", "/api/v1/analysis/market-dynamics")
MD_GET = Op("GET", "/api/v1/analysis/market-dynamics/{id}")
MD_STOP = Op("POST", "/api/v1/analysis/market-dynamics/{id}/stop")
MD_SAVE = Op("POST", "/api/v1/analysis/market-dynamics/{id}/save")
MD_TEST = Op("POST", "/api/v1/analysis/market-dynamics/{id}/dynamics-test")
MD_IMAGE = Op("GET", "/api/v1/analysis/market-dynamics/{id}/images/{name}")
# Training
TRAINING_START = Op("POST", "/api/v1/training/start")
TRAININGS = Op("GET", "/api/v1/training")
TRAINING = Op("GET", "/api/v1/training/{id}")
TRAINING_STATUS = Op("GET", "/api/v1/training/{id}/status")
TRAINING_STOP = Op("POST", "/api/v1/training/{id}/stop")
TRAINING_APPLY = Op("POST", "/api/v1/training/{id}/apply")
TRAINING_PLOT = Op("GET", "/api/v1/training/{id}/plot.png")
# Jobs
JOBS = Op("GET", "/api/v1/jobs")
JOB = Op("GET", "/api/v1/jobs/{id}")
JOB_CANCEL = Op("POST", "/api/v1/jobs/{id}/cancel")
# Real time
TICKETS = Op("POST", "/api/v1/realtime/tickets")
# TradeMaster service
TM_CATALOGUE = Op("GET", "/api/v1/trademaster/catalogue")

ALL: Tuple[Op, ...] = tuple(v for k, v in sorted(globals().items()) if isinstance(v, Op))

#: Operations of the OpenAPI document the client does not wrap, and why.
EXCLUDED: Dict[Op, str] = {
    Op("POST", "/api/v1/auth/token"): "the OAuth2 password form for API-docs tools; login() is the same sign-in as JSON",
    Op("GET", "/metrics"): "Prometheus' scrape target, reachable only from nginx's metrics allow-list",
}

#: POST operations that take an Idempotency-Key: the client sends one and retries them.
IDEMPOTENT_POSTS = frozenset({STRATEGY_EXECUTE, BACKTEST, TRAINING_START, MD_START})
