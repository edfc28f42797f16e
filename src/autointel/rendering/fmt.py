"""Number and label formatting shared by every renderer, so all outputs print the same digits."""

from __future__ import annotations

import math
from typing import Any

MIB = 2**20


def num(value: Any, fmt: str = "{:.3f}") -> str:
    """A finite number formatted, anything else (None, NaN, missing) as "-"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "-"
    return fmt.format(value)


def ci(row: dict[str, Any] | None, point: str, low: str, high: str, fmt: str = "{:.3f}") -> str:
    """`point [low, high]`, or "-" when the point estimate is missing."""
    if not row or row.get(point) is None:
        return "-"
    return f"{num(row[point], fmt)} [{num(row.get(low), fmt)}, {num(row.get(high), fmt)}]"


def paired_mark(row: dict[str, Any] | None) -> str:
    """Said beside a ratio whose CI resampled whole iterations (`autointel.bench.blocks`)."""
    return " paired" if row and row.get("paired") else ""


def mib(value: Any) -> str:
    return num(value / MIB if isinstance(value, (int, float)) and value else None, "{:.0f}")


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a dict, else an empty one: renderers must survive partial results."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
