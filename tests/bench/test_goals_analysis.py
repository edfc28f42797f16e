"""The numbers behind the goals: the new checks and statistics, and what analyze derives per run and
per session (bound ratio, transcription speed, streaming overlap, crew vs pipeline, optimisations)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from benchmarks.goals import goal_rows_of

from autointel import stats
from autointel.bench.analysis.analyze import stream_overlap_s
from autointel.bench.analysis.blocks import aligned
from autointel.bench.analysis.lengths import cost_model, memory_vs_length
from autointel.bench.autointel_pipeline import AutointelPipeline
from autointel.bench.options import BenchOptions, parse_combos
from autointel.bench.session import BenchSession
from autointel.bench.synthetic import SyntheticTarget
from autointel.model.bench_results import EngineCost, GoalRow, MemoryCheck, MetricComparison, SessionResults
from autointel.settings import Depth, load_settings
from tests.bench import builders


def test_limit_check_is_three_valued_and_strict_when_asked() -> None:
    assert stats.limit_check(0.4, 0.5, at_most=0.57) == "pass"
    assert stats.limit_check(0.6, 0.7, at_most=0.57) == "fail"
    assert stats.limit_check(0.5, 0.6, at_most=0.57) == "inconclusive"
    assert stats.limit_check(0.4, 0.5, at_most=0.5) == "pass"
    assert stats.limit_check(0.4, 0.5, at_most=0.5, strict=True) == "inconclusive"  # "under 0.5 s"
    assert stats.limit_check(16.0, 18.0, at_least=15.0) == "pass"
    assert stats.limit_check(3.0, 4.0, at_least=15.0) == "fail"
    assert stats.limit_check(-math.inf, math.inf, at_least=15.0) == "inconclusive"
    with pytest.raises(ValueError):
        stats.limit_check(0.0, 1.0)


def test_spread_check_band_around_the_median() -> None:
    flat = stats.spread_check([5.0, 5.1, 4.9], [4.95, 5.05, 4.85], [5.05, 5.15, 4.95], 0.15)
    assert flat.verdict == "pass" and flat.reference == 5.0
    fixed = stats.spread_check([6.7, 4.0], [6.6, 3.9], [6.8, 4.1], 0.15)
    assert fixed.verdict == "fail" and fixed.worst == 0 and fixed.ratio == pytest.approx(6.7 / 5.35)
    wide = stats.spread_check([5.0, 5.2], [4.0, 4.1], [6.0, 6.2], 0.15)
    assert wide.verdict == "inconclusive"
    with pytest.raises(ValueError):
        stats.spread_check([5.0], [4.0], [6.0], 0.15)


SPREAD = (0.98, 0.99, 1.0, 1.0, 1.01, 1.02)  # six runs: the fewest a 95% median CI can rest on


def test_difference_of_medians() -> None:
    diff, low, high = stats.difference_of_medians([8.0, 8.1, 7.9, 8.05, 7.95, 8.0], [7.0, 7.1, 6.9, 7.05, 6.95, 7.0],
                                                  seed=1)
    assert diff == pytest.approx(1.0) and low <= diff <= high and low > 0.7 and high < 1.3
    assert stats.difference_of_medians([8.0], [7.0])[1:] == (-math.inf, math.inf)
    assert stats.difference_of_medians([8.0] * 6, [7.0] * 6) == (1.0, 1.0, 1.0)
    assert stats.difference_of_medians([8.0] * 5, [7.0] * 5)[1:] == (-math.inf, math.inf)  # too few to say


def test_scaling_exponent_recovers_the_planted_power() -> None:
    sizes = [1.0, 5.0, 20.0]
    linear = [[s * f for f in SPREAD] for s in sizes]
    slope, low, high = stats.scaling_exponent(sizes, linear, seed=2)
    assert slope == pytest.approx(1.0, abs=0.01) and low <= slope <= high and low > 0.95 and high < 1.05
    flat = [[1e9 + s * 1e6 * f for f in SPREAD] for s in sizes]
    slope, low, high = stats.scaling_exponent(sizes, flat, seed=2)
    assert slope < 0.05 and high < 1.0
    assert stats.scaling_exponent(sizes, [[1.0], [2.0], [3.0]])[1:] == (-math.inf, math.inf)
    with pytest.raises(ValueError):
        stats.scaling_exponent([1.0, 1.0], [[1.0, 1.1], [1.0, 1.1]])


def test_linear_cost_separates_a_fixed_cost_from_the_marginal_one() -> None:
    sizes = [1.0, 5.0, 20.0]
    runs = [[0.4 + 2.0 * s * f for f in SPREAD] for s in sizes]  # 0.4 s per run, 2 s per unit
    fit = stats.linear_cost(sizes, runs, seed=3)
    assert fit.fixed == pytest.approx(0.4, abs=1e-9) and fit.marginal == pytest.approx(2.0)
    assert fit.fixed_ci_low <= fit.fixed <= fit.fixed_ci_high and fit.marginal_ci_low <= 2.0 <= fit.marginal_ci_high
    assert fit.marginal_ci_high - fit.marginal_ci_low < 0.1
    proportional = stats.linear_cost(sizes, [[2.0 * s * f for f in SPREAD] for s in sizes], seed=3)
    assert proportional.fixed_ci_low <= 0.0 <= proportional.fixed_ci_high  # no fixed cost: the CI says so
    single = stats.linear_cost(sizes, [[1.0], [2.0], [3.0]])
    assert (single.fixed_ci_low, single.marginal_ci_high) == (-math.inf, math.inf)
    with pytest.raises(ValueError):
        stats.linear_cost([5.0, 5.0], [[1.0, 1.1], [1.0, 1.2]])


def test_cost_model_fits_counted_runs_across_benches_of_different_lengths() -> None:
    def bench(minutes: float, e2e: list[float]) -> SessionResults:
        digest = {"media_duration_s": minutes * 60}
        samples = [builders.sample(i, "all", e2e_s=v, digest=digest) for i, v in enumerate(e2e)]
        samples.append(builders.sample(99, "all", e2e_s=1000.0, digest=digest, status="failed"))  # not counted
        cell = builders.cell("all", counted_orders=tuple(range(len(e2e))))
        return builders.results([cell], samples, depth="comprehensive", llm_profile="instant")

    rows = cost_model({"one": bench(1, [2.4, 2.5, 2.6]), "five": bench(5, [10.4, 10.5, 10.6])})
    assert len(rows) == 1 and rows[0].minutes == (1.0, 5.0) and rows[0].n == (3, 3)
    assert rows[0].fixed_s == pytest.approx(0.5) and rows[0].per_minute_s == pytest.approx(2.0)
    assert (rows[0].engine, rows[0].combo, rows[0].depth, rows[0].llm_profile) == (
        "pipeline", "all", "comprehensive", "instant")
    assert cost_model({"one": bench(1, [2.4, 2.5])}) == []  # one length: nothing to fit


def test_stream_overlap_is_the_union_clipped_to_transcription() -> None:
    steps = [{"name": "transcribe", "start_s": 1.0, "end_s": 5.0},
             {"name": "stream_embed", "start_s": 2.0, "end_s": 3.0},
             {"name": "stream_claims", "start_s": 2.5, "end_s": 4.0},  # overlaps the first: counted once
             {"name": "stream_tail", "start_s": 4.5, "end_s": 9.0},  # clipped at the end of transcription
             {"name": "claim_extraction", "start_s": 1.0, "end_s": 5.0}]  # not a streaming consumer
    assert stream_overlap_s(steps) == pytest.approx(2.5)
    assert stream_overlap_s(steps[:1]) == 0.0
    assert stream_overlap_s([{"name": "stream_x", "start_s": 6.0, "end_s": 7.0}, steps[0]]) == 0.0
    assert stream_overlap_s([]) == 0.0


def run(tmp_path: Path, combos: str, engines: tuple[str, ...] = ("pipeline",), depth: Depth = Depth.STANDARD,
        **knobs: Any) -> SessionResults:
    # 6 iterations: the fewest a median CI rests on
    opts = BenchOptions(combos=parse_combos(combos), engines=engines, iterations=6, warmup=0, seed=4)
    settings = load_settings({}, depth=depth, data_dir=tmp_path / "data")
    return BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings, SyntheticTarget(seed=2, **knobs)),
                        report_dir=tmp_path / "report", name="g").run()


def goals_of(results: SessionResults) -> dict[str, GoalRow]:
    """This project's goals over one bench, as its conftest's `pytest_autointel_goals` judges them."""
    return {x.id: x for x in goal_rows_of({"g": results}, {}, seed=4)}


def test_headroom_is_the_dag_bound_of_a_combination_over_the_baseline_median(tmp_path: Path) -> None:
    results = run(tmp_path, "baseline,all", depth=Depth.COMPREHENSIVE)
    (row,) = results.headroom
    cells = {c.combo: c for c in results.cells}
    bound, base, e2e = cells["all"].critical_path_bound, cells["baseline"].e2e, cells["all"].e2e
    assert bound is not None and base is not None and e2e is not None
    expected = bound.median / base.median
    assert row.combo == "all" and row.bound_kind == cells["all"].bound_kind and row.n == 6
    assert row.ratio == pytest.approx(expected) and row.ratio_ci_low <= row.ratio <= row.ratio_ci_high
    assert row.ratio < e2e.median / base.median  # a bound: below



def test_cells_with_runs_in_the_same_iterations_are_compared_block_by_block(tmp_path: Path) -> None:
    """Complete blocks pair every comparison of the session; a failed run breaks its cell's blocks, and that
    cell's comparisons fall back to independent resampling rather than dropping the other side's run."""
    full = run(tmp_path / "full", "all", engines=("pipeline", "crew"), depth=Depth.COMPREHENSIVE)
    judged: list[MetricComparison | EngineCost | MemoryCheck] = [*full.comparisons, *full.engines, *full.memory]
    judged = [r for r in judged if r.verdict != "insufficient"]
    assert judged and full.headroom and all(r.paired for r in [*judged, *full.headroom])
    assert {r.metric for r in full.comparisons} >= {"e2e", "phase:transcription"}
    broken = run(tmp_path / "broken", "all", crash_on_calls={0})
    failed = next(c for c in broken.cells if c.counts.failed)
    assert failed.counts.ok == 5
    e2e = next(r for r in broken.comparisons if r.metric == "e2e")
    assert not e2e.paired and {e2e.n, e2e.n_baseline} == {5, 6}


def test_blocks_pair_values_by_iteration_only_when_both_sides_have_the_same_ones() -> None:
    assert aligned([(0, 1.0), (1, 2.0)], [(0, 5.0), (1, 6.0)])
    assert not aligned([(0, 1.0), (1, 2.0)], [(0, 5.0), (2, 6.0)])
    assert not aligned([(0, 1.0)], [(0, 5.0)])  # one block says nothing about spread
    assert not aligned([(0, 1.0), (0, 2.0)], [(0, 5.0), (0, 6.0)])  # a repeated iteration is not a block

def test_session_compares_optimisations_with_their_twin_for_the_goals(tmp_path: Path) -> None:
    results = run(tmp_path, "all,all+batched_vector_writes", depth=Depth.COMPREHENSIVE)
    rows = {(r.metric, r.name): r for r in results.optimisations}
    assert rows[("e2e", "all+batched_vector_writes")].reference == "all"
    assert ("phase:integration", "all+batched_vector_writes") in rows
    assert all(r.n == 6 and r.n_baseline == 6 for r in rows.values())
    found = goals_of(results)
    assert found["G4.1"].verdict == found["G4.2"].verdict == "measured"
    assert found["G4.3"].verdict == "not_measured"
    assert results.engines == ()  # one engine: no crew vs pipeline
    base = next(c for c in results.cells if c.combo == "baseline")
    assert base.bound_kind == "plan" and base.e2e_per_bound is not None and 0.9 < base.e2e_per_bound.median < 2.0
    assert base.transcription_speed is None  # the synthetic target reports no media duration


def test_session_compares_crew_with_pipeline_per_combination(tmp_path: Path) -> None:
    results = run(tmp_path, "all", engines=("pipeline", "crew"))
    rows = {r.combo: r for r in results.engines}
    assert set(rows) == {"baseline", "all"}
    for row in rows.values():
        assert row.n == row.n_baseline == 6 and row.tasks is not None and row.tasks >= 5 and row.engine == "crew"
        assert row.ratio_ci_low <= row.ratio <= row.ratio_ci_high
        assert row.per_task_ms == pytest.approx(1000 * row.diff_s / row.tasks)
    found = goals_of(results)
    assert found["G2.2"].verdict == "measured"  # no LLM latency here: the ratio is G2.1's note, not a verdict
    assert found["G2.1"].verdict == "not_measured" and "(instant)" in found["G2.1"].note


def test_streaming_cells_record_their_overlap(tmp_path: Path) -> None:
    results = run(tmp_path, "all,all+streaming_transcription")
    cell = next(c for c in results.cells if c.combo == "all+streaming_transcription")
    assert cell.stream_overlap_s == (0.0,) * 6  # the synthetic plan has no streaming consumer
    assert next(c for c in results.cells if c.combo == "all").stream_overlap_s == ()
    g3 = goals_of(results)["G3"]
    assert g3.verdict == "fail" and "no step or span named stream*" in g3.note


def test_memory_vs_length_uses_isolated_rss_or_heap_peaks_only() -> None:
    def bench(minutes: float, peaks: list[int], isolated: bool, heap: int | None = None) -> SessionResults:
        digest = {"media_duration_s": minutes * 60}
        samples = [builders.sample(i, isolated=isolated, peak_rss_bytes=p, digest=digest) for i, p in enumerate(peaks)]
        if heap:
            samples.append(builders.sample(99, purpose="heap", peak_rss_bytes=0, digest=digest,
                                           heap_peaks={"python_heap_peak_bytes": heap}))
        cell = builders.cell(counted_orders=tuple(range(len(peaks))))
        return builders.results([cell], samples, depth="comprehensive", llm_profile="instant")

    rows = memory_vs_length({"one": bench(1, [10**9, 101 * 10**7], True), "five": bench(5, [11 * 10**8, 112 * 10**7],
                                                                                          True)})
    assert len(rows) == 1 and rows[0].metric == "peak_rss" and rows[0].minutes == (1.0, 5.0) and rows[0].n == (2, 2)
    assert 0.0 < rows[0].slope < 0.2
    warm = memory_vs_length({"one": bench(1, [10**9, 101 * 10**7], False, 5 * 10**7),
                             "five": bench(5, [11 * 10**8, 11 * 10**8], False, 2 * 10**8)})
    assert [r.metric for r in warm] == ["python_heap_peak"] and warm[0].slope == pytest.approx(math.log(4) /
                                                                                              math.log(5))
    assert memory_vs_length({"one": bench(1, [10**9, 10**9], False), "five": bench(5, [2 * 10**9, 2 * 10**9],
                                                                                   False)}) == []
