"""Python client of the TradeMaster Web Backend.

    from trademaster_client import Client
    c = Client("http://127.0.0.1:8000")
    c.login(username, password)
    ds = c.datasets.upload("AAA.csv", name="aaa", symbol="AAA")
    st = c.strategies.create(name="sma", kind="sma_crossover", parameters={"fast": 10, "slow": 30})
    res = c.analysis.backtest(strategy_id=st.id, dataset_id=ds.id, symbol="AAA")
    res.equity.plot()
"""
from .client import Client
from ._record import Record
from .errors import (
    BadRequest,
    Conflict,
    Forbidden,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    Problem,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TradeMasterError,
    TransportError,
    Unauthorized,
    ValidationFailed,
    WaitTimeout,
)
from .resources import BacktestResult

__all__ = [
    "Client", "Record", "BacktestResult", "Problem", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
    "PreconditionFailed", "PayloadTooLarge", "ValidationFailed", "RateLimited", "ServiceUnavailable", "ServerError",
    "TradeMasterError", "TransportError", "JobFailed", "WaitTimeout",
]
__version__ = "0.1.0"
