"""Small typed results built by hand, for tests of code that reads `SessionResults` (the cross-bench views of
`autointel.bench.analysis.lengths`): only the fields a test sets differ from an empty, passing session."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autointel.model.bench_results import (
    Banner,
    CellCounts,
    CellStats,
    SessionInfo,
    SessionResults,
)
from autointel.model.run_sample import RunSample
from autointel.model.statistics import Summary

NAN = math.nan


def sample(order: int, combo: str = "baseline", engine: str = "pipeline", **fields: Any) -> RunSample:
    """One counted run unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "run_id": "r", "combo": combo, "engine": engine, "iteration": order, "warmup": False, "order": order,
        "flags_requested": {}, "flags_reported": {}, "fingerprint_expected": "f", "fingerprint_actual": "f",
        "valid": True, "invalid_reason": None, "status": "ok", "error": None, "digest": {}, "e2e_s": 1.0,
        "cpu_process_s": 0.5, "peak_rss_bytes": 1, "rss_before_bytes": 0, "phases": {}, "steps": [],
        "llm_calls": [],
    }
    values.update(fields)
    return RunSample(**values)


def summary(median: float, ci_low: float = NAN, ci_high: float = NAN, n: int = 3) -> Summary:
    return Summary(n=n, median=median, mean=median, p95=median, stdev=NAN, cv=NAN, ci_low=ci_low, ci_high=ci_high)


def cell(combo: str = "baseline", engine: str = "pipeline", **fields: Any) -> CellStats:
    fields.setdefault("counts", CellCounts(runs=0, measured=0, ok=0, failed=0, invalid=0, warmup=0, diagnostic=0))
    return CellStats(combo=combo, engine=engine, flags={}, **fields)


def results(cells: Sequence[CellStats] = (), samples: Sequence[RunSample] = (), **session: Any) -> SessionResults:
    """A session holding `cells` and `samples`; `session` sets SessionInfo fields (depth, llm_profile, ...)."""
    banner = Banner(verdict="pass", triggered=(), fail_on=(), conditions={}, reasons=(), headline="", failed_runs=0,
                    invalid_runs=0)
    info = SessionInfo(**{"run_id": "r", "name": "t", **session})
    return SessionResults(session=info, banner=banner, cells=tuple(cells), samples=tuple(samples))
