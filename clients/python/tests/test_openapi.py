"""The client stays in step with the OpenAPI document of the live API."""
from __future__ import annotations

import re
from pathlib import Path

from trademaster_client import _operations as ops

SOURCE = Path(ops.__file__).parent


def document_operations(client):
    doc = client.system.openapi()
    found = set()
    for path, item in doc["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.add(ops.Op(method.upper(), path))
    return found


def test_every_operation_the_client_calls_is_documented(client):
    documented = document_operations(client)
    missing = [op for op in ops.ALL if op not in documented]
    assert not missing, f"the client calls operations the API does not document: {missing}"


def test_every_documented_operation_is_covered_or_excluded_with_a_reason(client):
    documented = document_operations(client)
    diagnostics = {op for op in documented if op.path.startswith("/_diag/") or op.path.startswith("/_tm/")}
    uncovered = documented - set(ops.ALL) - set(ops.EXCLUDED) - diagnostics
    assert not uncovered, f"operations of the API the client neither wraps nor excludes: {sorted(uncovered)}"
    assert all(reason.strip() for reason in ops.EXCLUDED.values())
    assert not (set(ops.EXCLUDED) & set(ops.ALL))
    stale = [op for op in ops.EXCLUDED if op not in documented]
    assert not stale, f"excluded operations that no longer exist: {stale}"


def test_every_operation_constant_is_used_by_a_resource():
    text = "\n".join(p.read_text() for p in SOURCE.glob("*.py") if p.name != "_operations.py")
    names = [name for name, value in vars(ops).items() if isinstance(value, ops.Op)]
    unused = [name for name in names if not re.search(r"\bops\." + name + r"\b", text)]
    assert not unused, f"operations listed but never called: {unused}"
