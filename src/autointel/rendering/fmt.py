"""Number and label formatting shared by every renderer, so all outputs print the same digits."""

from __future__ import annotations

import math
from typing import Protocol, TypeGuard

from autointel.model.statistics import Summary

MIB = 2**20


def finite(value: float | None) -> TypeGuard[float]:
    """A number that can be printed or plotted: not None, not NaN, not infinite (bools are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def num(value: float | None, fmt: str = "{:.3f}") -> str:
    """A finite number formatted, anything else (None, NaN, infinite) as "-"."""
    return fmt.format(value) if finite(value) else "-"


def ci(point: float | None, low: float | None, high: float | None, fmt: str = "{:.3f}") -> str:
    """`point [low, high]`, or "-" when the point estimate is missing (None or not finite)."""
    if not finite(point):
        return "-"
    return f"{num(point, fmt)} [{num(low, fmt)}, {num(high, fmt)}]"


class RatioRow(Protocol):
    """Any row with a ratio and its CI (comparisons, effects, headroom, history, session deltas)."""

    @property
    def ratio(self) -> float: ...
    @property
    def ratio_ci_low(self) -> float: ...
    @property
    def ratio_ci_high(self) -> float: ...


def ratio_ci(row: RatioRow | None, fmt: str = "{:.3f}") -> str:
    """A row's `ratio [ratio_ci_low, ratio_ci_high]`, "-" without the row or its ratio."""
    return "-" if row is None else ci(row.ratio, row.ratio_ci_low, row.ratio_ci_high, fmt)


def median_ci(summary: Summary | None, fmt: str = "{:.3f}") -> str:
    """A summary's `median [ci_low, ci_high]`, "-" without one."""
    return "-" if summary is None else ci(summary.median, summary.ci_low, summary.ci_high, fmt)


def median(summary: Summary | None) -> float:
    """A summary's median, NaN without one (printed as "-")."""
    return math.nan if summary is None else summary.median


def paired_mark(paired: bool) -> str:
    """Said beside a ratio whose CI resampled whole iterations (`autointel.bench.analysis.blocks`)."""
    return " paired" if paired else ""


def mib(value: float | None) -> str:
    """Bytes as whole MiB; zero and missing both as "-"."""
    return num(value / MIB if finite(value) and value else None, "{:.0f}")
