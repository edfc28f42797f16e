"""Turn result dataclasses into JSON-ready data (enums by value, tuples as lists)."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """JSON text with secrets redacted: every document the project writes goes through here."""
    from autointel.measurement.redact import redact

    return json.dumps(redact(to_jsonable(value)), indent=indent, ensure_ascii=False)
