"""Cost and memory as work grows: views across benches of different media lengths.

Each bench runs one media length; these functions line the benches up by minutes of media. Every
statistic is delegated to `autointel.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from autointel import stats


def media_minutes(results: Mapping[str, Any]) -> float | None:
    """The one media duration a bench ran on (from its runs' digests), in minutes; None if not exactly one."""
    durations = {s["digest"].get("media_duration_s") for s in results.get("samples", []) if s.get("digest")}
    durations.discard(None)
    return float(next(iter(durations))) / 60.0 if len(durations) == 1 else None


def cost_vs_length(all_results: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per bench x cell with its media duration, for the cost-as-work-grows view across benches.

    Time per minute of media is the cell's median (and CI bounds) divided by the media minutes: the CI
    of a ratio to a constant is the CI scaled by it, so no new statistics are made here.
    """
    rows: list[dict[str, Any]] = []
    for bench, results in all_results.items():
        minutes, meta = media_minutes(results), results.get("session", {})
        if not minutes or minutes <= 0:
            continue
        for cell in results.get("cells", []):
            e2e, rss = cell.get("e2e"), cell.get("peak_rss")
            if not e2e:
                continue
            rows.append({
                "bench": bench, "combo": cell["combo"], "engine": cell["engine"],
                "depth": meta.get("depth"), "llm_profile": meta.get("llm_profile"),
                "media_duration_s": minutes * 60.0, "median_s": e2e["median"],
                "ci_low": e2e["ci_low"], "ci_high": e2e["ci_high"],
                "per_minute_s": e2e["median"] / minutes,
                "per_minute_ci": [_per_minute(e2e["ci_low"], minutes), _per_minute(e2e["ci_high"], minutes)],
                "peak_rss_median": rss["median"] if rss else None,
            })
    return rows


def _per_minute(bound: float | None, minutes: float) -> float | None:
    """A CI bound per minute of media; None stays None (too few runs for a CI), never a crash."""
    return None if bound is None else bound / minutes


def _counted_samples(results: Mapping[str, Any], cell: Mapping[str, Any]) -> tuple[list[dict[str, Any]],
                                                                                    list[dict[str, Any]]]:
    """A cell's samples, and those of them that entered its statistics."""
    own = [s for s in results.get("samples", []) if (s.get("combo"), s.get("engine")) == (cell["combo"],
                                                                                            cell["engine"])]
    counted = set(cell.get("counted_orders") or [])
    return own, [s for s in own if s.get("order") in counted]


def _memory_points(results: Mapping[str, Any], cell: Mapping[str, Any]) -> tuple[str, list[float]] | None:
    """A cell's comparable peaks: isolated runs' peak RSS, else its tracemalloc runs' Python-heap peaks."""
    own, counted = _counted_samples(results, cell)
    rss = [float(s["peak_rss_bytes"]) for s in counted]
    if rss and all(s.get("isolated") for s in counted) and min(rss) > 0:
        return "peak_rss", rss
    heap = [float(s["heap_peaks"]["python_heap_peak_bytes"]) for s in own
            if s.get("status") == "ok" and (s.get("heap_peaks") or {}).get("python_heap_peak_bytes")]
    return ("python_heap_peak", heap) if heap else None


def _e2e_points(results: Mapping[str, Any], cell: Mapping[str, Any]) -> tuple[str, list[float]] | None:
    _, counted = _counted_samples(results, cell)
    e2e = [float(s["e2e_s"]) for s in counted]
    return ("e2e", e2e) if e2e else None


Points = Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[str, list[float]] | None]


def _by_length(all_results: Mapping[str, dict[str, Any]],
               points: Points) -> dict[tuple[str, str, str, str, str], dict[float, list[float]]]:
    """(engine, combination, depth, profile, metric) -> minutes of media -> the cell's values, for every
    bench that ran one media length."""
    groups: dict[tuple[str, str, str, str, str], dict[float, list[float]]] = {}
    for results in all_results.values():
        minutes, meta = media_minutes(results), results.get("session", {})
        if not minutes or minutes <= 0:
            continue
        for cell in results.get("cells", []):
            found = points(results, cell)
            if found:
                key = (cell["engine"], cell["combo"], str(meta.get("depth")), str(meta.get("llm_profile")), found[0])
                groups.setdefault(key, {}).setdefault(minutes, []).extend(found[1])
    return {key: by_minutes for key, by_minutes in groups.items() if len(by_minutes) >= 2}


def memory_vs_length(all_results: Mapping[str, dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    """Per engine x combination x depth x profile across benches of different media lengths: the
    log-log slope of peak memory against minutes of media (< 1: sub-linear growth), with its CI.
    In-process peak RSS is never used (a warm process hides growth); tracemalloc peaks stand in."""
    rows: list[dict[str, Any]] = []
    for (engine, combo, depth, profile, metric), points in _by_length(all_results, _memory_points).items():
        sizes = sorted(points)
        key_seed = stats.derive_seed(seed, "memory", engine, combo, depth, profile, metric)
        slope, low, high = stats.scaling_exponent(sizes, [points[m] for m in sizes], seed=key_seed)
        rows.append({"engine": engine, "combo": combo, "depth": depth, "llm_profile": profile, "metric": metric,
                     "minutes": sizes, "n": [len(points[m]) for m in sizes], "slope": slope, "ci_low": low,
                     "ci_high": high})
    return rows


def cost_model(all_results: Mapping[str, dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    """Per engine x combination x depth x profile across benches of different media lengths: e2e as a
    fixed cost per run plus a marginal cost per minute of media (least squares through the medians of the
    counted runs), with CIs. It says why short media cost more per minute when they do."""
    rows: list[dict[str, Any]] = []
    for (engine, combo, depth, profile, _), points in _by_length(all_results, _e2e_points).items():
        sizes = sorted(points)
        key_seed = stats.derive_seed(seed, "cost", engine, combo, depth, profile)
        fit = stats.linear_cost(sizes, [points[m] for m in sizes], seed=key_seed)
        rows.append({
            "engine": engine, "combo": combo, "depth": depth, "llm_profile": profile,
            "minutes": sizes, "n": [len(points[m]) for m in sizes],
            "fixed_s": fit.fixed, "fixed_ci_low": fit.fixed_ci_low, "fixed_ci_high": fit.fixed_ci_high,
            "per_minute_s": fit.marginal, "per_minute_ci_low": fit.marginal_ci_low,
            "per_minute_ci_high": fit.marginal_ci_high,
        })
    return rows
