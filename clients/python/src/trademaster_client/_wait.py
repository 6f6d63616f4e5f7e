"""Waiting for long work (jobs, runs, trainings), with a tqdm progress bar."""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ._record import Record
from .errors import JobFailed, WaitTimeout

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


def wait_until_done(
    fetch: Callable[[], Record],
    what: str,
    *,
    timeout: Optional[float] = None,
    poll: float = 0.5,
    progress: bool = True,
    raise_on_failure: bool = True,
) -> Record:
    """Polls ``fetch`` until its ``status`` is final; shows ``progress`` (0..1) in a tqdm bar
    (``tqdm.auto``: a widget in notebooks, text in a terminal). Raises ``JobFailed`` when it
    ended failed or cancelled (unless ``raise_on_failure`` is false), ``WaitTimeout`` after
    ``timeout`` seconds."""
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm  # types-tqdm has its stubs

        bar = tqdm(total=100, desc=what, unit="%", bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = poll
    try:
        while True:
            record = fetch()
            if bar is not None:
                done = int(round(float(record.get("progress") or 0) * 100))
                bar.update(max(0, done - bar.n))
                bar.set_postfix_str(str(record.get("status")) + (f" {record.get('message')}" if record.get("message") else ""))
            if record.get("status") in TERMINAL:
                if bar is not None and record.get("status") == "succeeded":
                    bar.update(100 - bar.n)
                if raise_on_failure and record.get("status") != "succeeded":
                    raise JobFailed(what, record)
                return record
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimeout(f"{what} still {record.get('status')} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.25, 5.0)
    finally:
        if bar is not None:
            bar.close()
