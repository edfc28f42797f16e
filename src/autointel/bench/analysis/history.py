"""Cross-session history: one JSONL line per session, and a regression check that never trusts one point.

The current baseline's e2e runs are compared (via `autointel.stats.compare`) with the medians of the
last K comparable sessions' baselines (same bench, source, depth, engine, LLM profile, isolation and
machine). Session medians carry the between-session variation (reboots, thermal state, background
load) that a single session's runs cannot show, so a regression is claimed only against a spread of
past sessions; fewer than MIN_SESSIONS past sessions (6, the fewest a 95% CI of their median rests on,
`stats.min_runs_for_median_ci`) gives "insufficient_history", never a verdict.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autointel import stats
from autointel.model.bench_results import HistoryCheck

MIN_SESSIONS = stats.min_runs_for_median_ci()


def load_history(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn line from a killed writer
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def append_history(path: Path, entry: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True, allow_nan=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def history_check(
    entries: Sequence[dict[str, Any]],
    key: dict[str, Any],
    engine: str,
    current: Sequence[float],
    k: int,
    threshold: float,
    alpha: float,
    seed: int,
) -> HistoryCheck:
    past = [e for e in entries if e.get("key") == {**key, "engine": engine}][-k:]
    medians = tuple(float(e["baseline_median_s"]) for e in past if e.get("baseline_median_s"))
    run_ids = tuple(e.get("run_id") for e in past)
    if len(medians) < MIN_SESSIONS or len(current) < MIN_SESSIONS:
        return HistoryCheck(engine=engine, k=k, n_sessions=len(medians), medians=medians, run_ids=run_ids,
                            verdict="insufficient_history")
    comparison = stats.compare("history", medians, current, threshold, seed=seed, alpha=alpha)
    return HistoryCheck(engine=engine, k=k, n_sessions=len(medians), medians=medians, run_ids=run_ids,
                        verdict=comparison.verdict, ratio=comparison.ratio, ratio_ci_low=comparison.ratio_ci_low,
                        ratio_ci_high=comparison.ratio_ci_high, p_value=comparison.p_value)
