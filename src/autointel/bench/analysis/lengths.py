"""Cost and memory as work grows: views across benches of different media lengths.

Each bench runs one media length; these functions line the benches up by minutes of media. Every
statistic is delegated to `autointel.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from autointel import stats
from autointel.model.bench_results import CellStats, CostModel, LengthCost, MemoryScaling, SessionResults
from autointel.model.run_sample import RunSample


def media_minutes(results: SessionResults) -> float | None:
    """The one media duration a bench ran on (from its runs' digests), in minutes; None if not exactly one."""
    durations = {float(d) for s in results.samples if (d := s.digest.get("media_duration_s")) is not None}
    return next(iter(durations)) / 60.0 if len(durations) == 1 else None


def cost_vs_length(all_results: Mapping[str, SessionResults]) -> list[LengthCost]:
    """One row per bench x cell with its media duration, for the cost-as-work-grows view across benches.

    Time per minute of media is the cell's median (and CI bounds) divided by the media minutes: the CI
    of a ratio to a constant is the CI scaled by it, so no new statistics are made here.
    """
    rows: list[LengthCost] = []
    for bench, results in all_results.items():
        minutes, meta = media_minutes(results), results.session
        if not minutes or minutes <= 0:
            continue
        for cell in results.cells:
            e2e, rss = cell.e2e, cell.peak_rss
            if not e2e:
                continue
            rows.append(LengthCost(
                bench=bench, combo=cell.combo, engine=cell.engine, depth=meta.depth, llm_profile=meta.llm_profile,
                media_duration_s=minutes * 60.0, median_s=e2e.median, ci_low=e2e.ci_low, ci_high=e2e.ci_high,
                per_minute_s=e2e.median / minutes, per_minute_ci=(e2e.ci_low / minutes, e2e.ci_high / minutes),
                peak_rss_median=rss.median if rss else None,
            ))
    return rows


def _counted_samples(results: SessionResults, cell: CellStats) -> tuple[list[RunSample], list[RunSample]]:
    """A cell's samples, and those of them that entered its statistics."""
    own = [s for s in results.samples if s.cell == (cell.combo, cell.engine)]
    counted = set(cell.counted_orders)
    return own, [s for s in own if s.order in counted]


def _memory_points(results: SessionResults, cell: CellStats) -> tuple[str, list[float]] | None:
    """A cell's comparable peaks: isolated runs' peak RSS, else its tracemalloc runs' Python-heap peaks."""
    own, counted = _counted_samples(results, cell)
    rss = [float(s.peak_rss_bytes) for s in counted]
    if rss and all(s.isolated for s in counted) and min(rss) > 0:
        return "peak_rss", rss
    heap = [float(peak) for s in own
            if s.status == "ok" and (peak := (s.heap_peaks or {}).get("python_heap_peak_bytes"))]
    return ("python_heap_peak", heap) if heap else None


def _e2e_points(results: SessionResults, cell: CellStats) -> tuple[str, list[float]] | None:
    _, counted = _counted_samples(results, cell)
    e2e = [float(s.e2e_s) for s in counted]
    return ("e2e", e2e) if e2e else None


Points = Callable[[SessionResults, CellStats], tuple[str, list[float]] | None]


def _by_length(all_results: Mapping[str, SessionResults],
               points: Points) -> dict[tuple[str, str, str, str, str], dict[float, list[float]]]:
    """(engine, combination, depth, profile, metric) -> minutes of media -> the cell's values, for every
    bench that ran one media length."""
    groups: dict[tuple[str, str, str, str, str], dict[float, list[float]]] = {}
    for results in all_results.values():
        minutes, meta = media_minutes(results), results.session
        if not minutes or minutes <= 0:
            continue
        for cell in results.cells:
            found = points(results, cell)
            if found:
                key = (cell.engine, cell.combo, str(meta.depth), str(meta.llm_profile), found[0])
                groups.setdefault(key, {}).setdefault(minutes, []).extend(found[1])
    return {key: by_minutes for key, by_minutes in groups.items() if len(by_minutes) >= 2}


def memory_vs_length(all_results: Mapping[str, SessionResults], seed: int = 0) -> list[MemoryScaling]:
    """Per engine x combination x depth x profile across benches of different media lengths: the
    log-log slope of peak memory against minutes of media (< 1: sub-linear growth), with its CI.
    In-process peak RSS is never used (a warm process hides growth); tracemalloc peaks stand in."""
    rows: list[MemoryScaling] = []
    for (engine, combo, depth, profile, metric), points in _by_length(all_results, _memory_points).items():
        sizes = sorted(points)
        key_seed = stats.derive_seed(seed, "memory", engine, combo, depth, profile, metric)
        slope, low, high = stats.scaling_exponent(sizes, [points[m] for m in sizes], seed=key_seed)
        rows.append(MemoryScaling(engine=engine, combo=combo, depth=depth, llm_profile=profile, metric=metric,
                                  minutes=tuple(sizes), n=tuple(len(points[m]) for m in sizes), slope=slope,
                                  ci_low=low, ci_high=high))
    return rows


def cost_model(all_results: Mapping[str, SessionResults], seed: int = 0) -> list[CostModel]:
    """Per engine x combination x depth x profile across benches of different media lengths: e2e as a
    fixed cost per run plus a marginal cost per minute of media (least squares through the medians of the
    counted runs), with CIs. It says why short media cost more per minute when they do."""
    rows: list[CostModel] = []
    for (engine, combo, depth, profile, _), points in _by_length(all_results, _e2e_points).items():
        sizes = sorted(points)
        key_seed = stats.derive_seed(seed, "cost", engine, combo, depth, profile)
        fit = stats.linear_cost(sizes, [points[m] for m in sizes], seed=key_seed)
        rows.append(CostModel(
            engine=engine, combo=combo, depth=depth, llm_profile=profile, minutes=tuple(sizes),
            n=tuple(len(points[m]) for m in sizes), fixed_s=fit.fixed, fixed_ci_low=fit.fixed_ci_low,
            fixed_ci_high=fit.fixed_ci_high, per_minute_s=fit.marginal, per_minute_ci_low=fit.marginal_ci_low,
            per_minute_ci_high=fit.marginal_ci_high,
        ))
    return rows
