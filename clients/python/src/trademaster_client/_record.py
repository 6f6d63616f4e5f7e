"""API objects as dictionaries whose keys are also attributes (``strategy.id``)."""
from __future__ import annotations

from typing import Any, Dict


class Record(Dict[str, Any]):
    """A JSON object of the API. Keys read as attributes; nested objects are Records too."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r} (fields: {', '.join(self)})") from None

    def __dir__(self) -> Any:
        return list(super().__dir__()) + list(self.keys())


def wrap(value: Any) -> Any:
    """``value`` with every JSON object turned into a ``Record``."""
    if isinstance(value, dict):
        return Record({k: wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value
