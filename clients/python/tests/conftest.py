"""Fixtures: the live stack that ./scripts/test started (TM_TEST_BASE_URL, through nginx).
Without it the tests fail rather than skip: they exist to run against the real API."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from trademaster_client import Client

PASSWORD = "Correct-Horse-42"
REPO = Path(__file__).resolve().parents[3]
DAILY_CSV = REPO / "Tests" / "QuantTests" / "Fixtures" / "daily.csv"


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: these tests run against the live stack of ./scripts/test", pytrace=False)
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return _need("TM_TEST_BASE_URL")


@pytest.fixture(scope="session")
def tm_binary() -> str:
    return _need("TM_TEST_BIN")


@pytest.fixture
def account(base_url: str):
    """A fresh registered user: (username, password)."""
    username = "py_" + secrets.token_hex(5)
    with Client(base_url) as anonymous:
        anonymous.auth.register(username, f"{username}@example.com", PASSWORD, full_name="Python Client")
    return username, PASSWORD


@pytest.fixture
def client(base_url: str, account):
    c = Client(base_url)
    c.login(*account)
    yield c
    c.close()


@pytest.fixture
def aaa_csv(tmp_path: Path) -> Path:
    """The Quant fixture's 500 daily bars under the name AAA.csv."""
    path = tmp_path / "AAA.csv"
    path.write_bytes(DAILY_CSV.read_bytes())
    return path
