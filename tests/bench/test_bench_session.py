"""The harness never lies: crashes are failures, silent baselines are invalid, samples survive a kill,
and a planted slowdown is pinned on the phase it was planted in."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.analysis.history import MIN_SESSIONS
from autointel.bench.autointel_pipeline import AutointelPipeline, measure_run
from autointel.bench.measure import RunSpec
from autointel.bench.options import MIN_HISTORY_K, BenchOptions, parse_combos
from autointel.bench.samples import load_samples
from autointel.bench.schedule import Cell, build_schedule, cells_for, interleave
from autointel.bench.session import BenchSession
from autointel.bench.synthetic import SyntheticTarget
from autointel.engines.resources import Resources
from autointel.model import FlagsRecord, RunResult
from autointel.model.bench_results import SCHEMA_VERSION, CellCounts, CellStats, SessionResults
from autointel.settings import Depth, Flags, Settings, load_settings
from autointel.stats import min_runs_for_median_ci
from tests.bench import builders
from tests.helpers import ROOT

MEDIA = sorted(p for p in (ROOT / "fixtures" / "media").glob("*.mp3") if "truncated" not in p.name)


def settings(tmp_path: Path, depth: Depth = Depth.STANDARD) -> Settings:
    return load_settings({}, depth=depth, data_dir=tmp_path / "data")


def session(tmp_path: Path, target: Any, combos: str = "baseline", **options: Any) -> BenchSession:
    opts = BenchOptions(combos=parse_combos(combos), **{"iterations": 3, "warmup": 0, "seed": 7, **options})
    return BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings(tmp_path), target),
                        report_dir=tmp_path / "report", name="t")


def cell(results: SessionResults, combo: str) -> CellStats:
    return next(c for c in results.cells if c.combo == combo)


def test_schedule_warmups_first_then_balanced_blocks() -> None:
    cells = cells_for(("baseline", "analysis", "memory_ops"), ("pipeline",))
    slots = build_schedule(cells, iterations=4, warmup=2, seed=3)
    assert [s.warmup for s in slots] == [True] * 6 + [False] * 12
    for start in range(0, len(slots), 3):  # every block runs every cell once
        assert {s.cell for s in slots[start:start + 3]} == set(cells)
    assert slots == build_schedule(cells, iterations=4, warmup=2, seed=3)
    assert slots != build_schedule(cells, iterations=4, warmup=2, seed=4)
    assert [s.order for s in slots] == list(range(18))


def test_interleaved_sessions_share_the_whole_order_and_keep_their_own() -> None:
    cells = cells_for(("baseline", "all"), ("pipeline",))
    short, long = build_schedule(cells, 6, 1, seed=1), build_schedule(cells, 2, 1, seed=2)
    order = interleave([short, long])
    assert [s for i, s in order if i == 0] == short and [s for i, s in order if i == 1] == long
    assert [s.warmup for _, s in order] == [True] * 4 + [False] * 16  # every warmup before any counted run
    counted = [i for i, s in order if not s.warmup]
    halves = counted[:8], counted[8:]
    assert [h.count(1) for h in halves] == [2, 2]  # the 2-round session's blocks: one in each half
    assert counted[0] == 0 and counted[-1] == 0  # the 6-round one opens and closes the order


def test_crash_is_failed_and_never_in_statistics(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(crash_on_calls={1}))
    results = bench.run()
    crashed = [s for s in bench.samples if s.status == "failed"]
    assert len(crashed) == 1 and "planted crash" in (crashed[0].error or "")
    assert not crashed[0].counts and crashed[0].invalid_reason == "no result"
    base = cell(results, "baseline")
    assert base.counts == CellCounts(runs=3, measured=3, ok=2, failed=1, invalid=0, warmup=0, diagnostic=0)
    assert base.e2e is not None and base.e2e.n == 2
    assert results.banner.verdict == "fail" and results.banner.triggered == ("failed",)


@pytest.mark.parametrize("exc", [SystemExit(3), MemoryError("boom"), ValueError("bad")])
def test_any_exception_is_a_failed_sample(tmp_path: Path, exc: BaseException) -> None:
    def target(source: str, s: Settings, r: Resources | None) -> RunResult:
        raise exc

    sample = measure_run(target, "x", settings(tmp_path), spec=RunSpec("r", "baseline", "pipeline"))
    assert sample.status == "failed" and type(exc).__name__ in (sample.error or "")


def test_the_rss_sampler_reports_its_own_cpu_not_the_targets() -> None:
    """G8.5 counts the polling fallback's CPU as the harness's work beside the target: it must be that thread's."""
    import time

    import psutil

    from autointel.measurement.rss import RssSampler

    proc = psutil.Process()
    sampler = RssSampler(proc)
    sampler.start()
    cpu0, end = time.thread_time(), time.perf_counter() + 0.3
    while time.perf_counter() < end:  # the target's CPU, on the calling thread
        pass
    burned = time.thread_time() - cpu0
    assert sampler.stop() >= int(proc.memory_info().rss) // 2
    assert 0.0 < sampler.cpu_s < 0.25 * burned


def test_the_kernel_peak_is_the_runs_own_even_after_a_bigger_run(tmp_path: Path) -> None:
    """Linux's high-water mark, reset per run: exact, and no thread beside the target."""
    import mmap

    from autointel.measurement.rss import KernelPeakRss

    if KernelPeakRss.available() is None:
        pytest.skip("this kernel does not let a process reset its peak RSS")

    def allocating(mib: int) -> Any:
        def target(source: str, s: Settings, r: Resources | None) -> RunResult:
            size = mib * 1024 * 1024
            with mmap.mmap(-1, size) as block:  # fresh pages (the heap may hold resident free memory), unmapped after
                for at in range(0, size, mmap.PAGESIZE):
                    block[at] = 1  # touched: resident
            raise ValueError("done")
        return target

    big, small = (measure_run(allocating(m), "x", settings(tmp_path), spec=RunSpec("r", "baseline", "pipeline"))
                  for m in (300, 60))
    assert big.rss_method == small.rss_method == "kernel_hwm" and big.sampler_cpu_s == small.sampler_cpu_s == 0.0
    assert big.peak_rss_bytes - big.rss_before_bytes >= 290 * 1024 * 1024
    assert 55 * 1024 * 1024 <= small.peak_rss_bytes - small.rss_before_bytes < 200 * 1024 * 1024  # not the 300


def test_without_a_resettable_peak_the_harness_polls(tmp_path: Path) -> None:
    import psutil

    from autointel.measurement.rss import KernelPeakRss, RssSampler, peak_rss_meter

    assert KernelPeakRss.available(tmp_path / "no-proc") is None
    meter = peak_rss_meter(psutil.Process())
    assert isinstance(meter, KernelPeakRss if KernelPeakRss.available() else RssSampler)


def test_partial_run_is_failed_with_its_errors(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(partial_combos=["analysis"]), combos="analysis")
    results = bench.run()
    partial = [s for s in bench.samples if s.combo == "analysis"]
    assert all(s.status == "failed" and "planted partial failure" in (s.error or "") for s in partial)
    assert cell(results, "analysis").e2e is None
    analysis = [c for c in results.comparisons if c.name == "analysis"]
    assert analysis and all(c.verdict == "insufficient" and math.isnan(c.ratio) for c in analysis)


def test_silent_baseline_structure_is_invalid(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(ignore_flags=True), combos="analysis")
    results = bench.run()
    for sample in bench.samples:
        if sample.combo == "baseline":
            assert sample.valid
        else:
            assert not sample.valid and sample.status == "ok"
            assert "structure fingerprint" in (sample.invalid_reason or "")
            assert sample.fingerprint_actual != sample.fingerprint_expected
    assert cell(results, "analysis").counts.invalid == 3
    assert cell(results, "analysis").e2e is None  # an invalid run never enters a statistic
    assert results.banner.conditions["invalid"] and "invalid" in results.banner.triggered


def test_each_sample_proves_its_flags(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(), combos="matrix", iterations=1)
    bench.run()
    assert len(bench.samples) == 8
    for sample in bench.samples:
        expected = Flags.parse_combo(sample.combo).combo().values()
        assert sample.flags_requested == sample.flags_reported == expected
        assert sample.valid and sample.fingerprint_actual == sample.fingerprint_expected

    inner = SyntheticTarget()

    def leaky(source: str, s: Settings, r: Resources | None) -> RunResult:  # the old cached-settings bug
        return dataclasses.replace(inner(source, s, r), flags=FlagsRecord(False, False, False))

    sample = measure_run(leaky, "x", settings(tmp_path).with_flags(Flags(parallel_analysis=True)),
                         spec=RunSpec("r", "analysis", "pipeline"))
    assert not sample.valid and "flags reported" in (sample.invalid_reason or "")


def test_crew_engine_proves_its_crew_layout(tmp_path: Path) -> None:
    from autointel.engines.crewai_adapter.crew_layout import crew_layout, describe_layout
    from autointel.engines.plan import build_plan

    engines = ("crew", "pipeline")
    bench = session(tmp_path, SyntheticTarget(), combos="analysis", iterations=2, engines=engines)
    results = bench.run()
    assert all(s.valid for s in bench.samples) and len(bench.samples) == 8
    for sample in bench.samples:
        plan = build_plan(Depth.STANDARD, Flags.parse_combo(sample.combo))
        layout = describe_layout(crew_layout(plan))["fingerprint"]
        expected = layout if sample.engine == "crew" else plan.describe()["fingerprint"]
        assert sample.fingerprint_actual == sample.fingerprint_expected == expected
    assert {(c.engine, c.name) for c in results.comparisons if c.metric == "e2e"} == {
        ("crew", "analysis"), ("pipeline", "analysis")}


def test_files_written_and_results_complete(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(), combos="analysis", warmup=1)
    results = bench.run()
    report = tmp_path / "report"
    on_disk = json.loads((report / "results.json").read_text())
    assert on_disk == results.to_dict() and on_disk["schema"] == SCHEMA_VERSION == 6  # the file is the results returned
    assert on_disk["session"]["seed"] == 7 and on_disk["session"]["run_id"] == bench.run_id
    assert {"python", "platform", "cpu_count", "packages", "git_commit"} <= set(on_disk["session"]["machine"])
    assert len(on_disk["samples"]) == 8 == len(load_samples(report / "raw_samples.jsonl"))
    assert sum(s["warmup"] for s in on_disk["samples"]) == 2
    assert cell(results, "analysis").counts.ok == 3  # warmups dropped
    assert len(results.samples) == 8 and results.samples == tuple(bench.samples)
    assert all(s.critical_path and 0 < s.critical_path["efficiency"] <= 1.0 for s in bench.samples)
    summary = (report / "summary.md").read_text()
    # three runs a cell cannot bound a median, so no slowdown is ruled out: inconclusive, never dressed as a pass
    assert summary.startswith("# autointel benchmark: t") and "**INCONCLUSIVE**" in summary
    regression = next(c for c in results.banner.checks if c.name == "regression")
    assert regression.gates and regression.state == "inconclusive" and "cannot rule out a slowdown" in regression.detail
    assert results.banner.verdict == "inconclusive" and results.banner.triggered == ()
    assert "| pipeline | analysis |" in summary
    assert not list(report.glob(".*tmp*"))


def test_killed_session_keeps_finished_runs(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(interrupt_on_call=5), combos="analysis", warmup=1)
    with pytest.raises(KeyboardInterrupt):
        bench.run()
    kept = load_samples(tmp_path / "report" / "raw_samples.jsonl")
    assert [s.order for s in kept] == [0, 1, 2, 3, 4]
    assert all(s.status == "ok" for s in kept)
    assert not (tmp_path / "report" / "results.json").exists()


def test_planted_phase_slowdown_is_reported_on_that_phase_only(tmp_path: Path) -> None:
    # scale 2: ~6 ms steps, so OS sleep jitter stays well below the planted 20%
    target = SyntheticTarget(seed=11, scale=2.0, slow_phase="analysis", factor=1.2,
                             slow_combos=["memory_ops"])
    bench = session(tmp_path, target, combos="memory_ops", iterations=10, warmup=1)
    results = bench.run()
    verdicts = {c.metric: c.verdict for c in results.comparisons if c.name == "memory_ops"}
    assert verdicts["phase:analysis"] == "regression"
    assert {"phase:acquisition", "phase:transcription"} <= set(verdicts)
    others = [v for m, v in verdicts.items() if m.startswith("phase:") and m != "phase:analysis"]
    assert others and "regression" not in others
    ratio = next(c.ratio for c in results.comparisons if c.metric == "phase:analysis")
    assert 1.1 < ratio < 1.3
    # each phase is also compared on its own work (thread CPU), the measure that overlap cannot inflate
    assert {"phase-cpu:analysis", "phase-cpu:transcription"} <= set(verdicts)
    analysis = next(c for c in results.cells if c.combo == "memory_ops")
    assert set(analysis.phase_cpu) == set(analysis.phases) and all(s is not None for s in analysis.phase_cpu.values())


def test_different_work_is_flagged(tmp_path: Path) -> None:
    results = session(tmp_path, SyntheticTarget(different_work_combos=["analysis"]), combos="analysis").run()
    row = next(e for e in results.equivalence if e.combo == "analysis")
    assert not row.matches and row.differs_in == ("transcript_sha256",)
    assert "invalid" in results.banner.triggered


def test_diagnostic_runs_stay_out_of_the_timings(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(), iterations=2, heap=True, memray=True, profile=True)
    results = bench.run()
    diag = {s.purpose: s for s in bench.samples if s.purpose != "measure"}
    assert set(diag) == {"heap", "memray", "profile"}
    assert diag["heap"].heap_peaks and diag["heap"].heap_peaks["python_heap_peak_bytes"] > 0
    phase_peaks = {k: v for k, v in diag["heap"].heap_peaks.items() if k.startswith("phase:")}
    assert set(phase_peaks) == {"phase:acquisition", "phase:transcription", "phase:analysis"}
    assert all(0 < v <= diag["heap"].heap_peaks["python_heap_peak_bytes"] for v in phase_peaks.values())
    assert diag["memray"].heap_peaks and diag["memray"].heap_peaks["memray_peak_bytes"] > 0
    assert Path(diag["memray"].artifacts["memray"]).exists()
    html = Path(diag["profile"].artifacts["profile"]).read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    base = cell(results, "baseline")
    assert base.e2e is not None and base.e2e.n == 2 and base.counts.diagnostic == 3


def test_process_isolation_worker_death_is_a_failed_sample(tmp_path: Path) -> None:
    bench = session(tmp_path, SyntheticTarget(seed=None, die_combos=["analysis"]), combos="analysis",
                    iterations=1, isolate="process", run_timeout_s=120.0)
    bench.run()
    by_combo = {s.combo: s for s in bench.samples}
    base, dead = by_combo["baseline"], by_combo["analysis"]
    assert base.status == "ok" and base.valid and base.isolated and base.peak_rss_bytes > 0
    assert dead.status == "failed" and "worker exited with code 70" in (dead.error or "")


PROBE = """
import sys

from autointel.phases.transcription import Transcriber


def probe(source, settings, resources=None):
    loaded = resources is not None and isinstance(resources._transcriber, Transcriber)
    imported = "qdrant_client" in sys.modules and "autointel.engines.pipeline" in sys.modules
    raise RuntimeError(f"models loaded before the clock: {loaded}; engine imported: {imported}")
"""


@pytest.mark.parametrize("preload", [True, False])
def test_isolated_worker_loads_shared_models_before_the_clock_only_when_asked(
    preload: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process sessions pass loaded models to every run and import the engine in their warmup; an
    isolated run does the same when asked, so e2e excludes model loading and imports in both modes."""
    from autointel.bench.autointel_pipeline import AutointelPipeline, TargetRef
    from autointel.bench.worker import WorkerRun, measure_in_subprocess

    (tmp_path / "probe_target.py").write_text(PROBE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    settings = load_settings({}, data_dir=tmp_path / "data", depth=Depth.STANDARD, engine="pipeline")
    ref = AutointelPipeline(settings, TargetRef("probe_target:probe"), preload=preload).ref()
    assert ref is not None
    sample = measure_in_subprocess(WorkerRun(ref, "x.wav", settings.flags.combo(), "pipeline", 0,
                                             RunSpec("r", "baseline", "pipeline")))
    assert sample.status == "failed" and sample.isolated
    assert f"models loaded before the clock: {preload}; engine imported: {preload}" in (sample.error or "")


def test_history_compares_with_several_sessions(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    for i in range(3):
        results = session(tmp_path / str(i), SyntheticTarget(seed=i), history=history).run()
        assert results.history[0].verdict == "insufficient_history"  # never fewer than 6 sessions
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert len(lines) == 3
    fast = [{**lines[-1], "run_id": f"fast{i}", "baseline_median_s": lines[-1]["baseline_median_s"] / 2}
            for i in range(6)]
    history.write_text("".join(json.dumps(e) + "\n" for e in fast[:5]))
    results = session(tmp_path / "five", SyntheticTarget(seed=9), history=history, iterations=6).run()
    assert results.history[0].verdict == "insufficient_history"  # five medians cannot bound their median
    history.write_text("".join(json.dumps(e) + "\n" for e in fast))
    results = session(tmp_path / "now", SyntheticTarget(seed=9), history=history, iterations=6).run()
    row = results.history[0]
    assert row.n_sessions == 6 and row.verdict == "regression" and row.ratio > 1.0
    assert "regression" in results.banner.triggered


def test_options_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        BenchOptions(fail_on=frozenset({"slow"}))
    with pytest.raises(ValueError):
        BenchOptions(history_k=5)
    assert MIN_HISTORY_K == MIN_SESSIONS == min_runs_for_median_ci()  # one rule, spelled once without scipy
    combos = parse_combos("analysis+fact_checking,memory_ops")
    assert [f.name for f in combos] == ["baseline", "analysis+fact_checking", "memory_ops"]
    assert combos[1] == Flags(parallel_analysis=True, parallel_fact_checking=True).combo()  # typed from the edge on
    assert len(parse_combos("matrix")) == 8 and parse_combos("matrix")[0] == Flags().combo()
    assert BenchOptions(combos=parse_combos("all")).combo_names == ("baseline", "all")
    assert Cell(Flags.parse_combo("analysis").combo(), "crew").id == "analysis-crew"
    with pytest.raises(ValueError, match="start with baseline"):
        BenchOptions(combos=(Flags.parse_combo("all").combo(),))
    with pytest.raises(ValueError, match="unknown engine"):
        BenchOptions(engines=("threads",))
    record = BenchOptions(combos=combos, fail_on=frozenset({"failed"})).record()
    assert record["combos"] == ["baseline", "analysis+fact_checking", "memory_ops"] and record["fail_on"] == ["failed"]
    assert json.loads(json.dumps(record)) == record  # plain JSON values


@pytest.mark.slow
@pytest.mark.skipif(not MEDIA, reason="no fixture media rendered yet (fixtures/media/*.mp3)")
def test_real_orchestrator_run(tmp_path: Path) -> None:
    opts = BenchOptions(combos=parse_combos("analysis"), iterations=2, warmup=0, seed=1)
    real = load_settings({}, depth=Depth.STANDARD, data_dir=tmp_path / "data")
    with Resources(real) as shared:  # models load once; every run still builds its own plan and context
        bench = BenchSession(opts, source=str(MEDIA[0]), pipeline=AutointelPipeline(real, None, shared),
                             report_dir=tmp_path / "report", name="real")
        results = bench.run()
    assert len(bench.samples) == 4
    assert all(s.status == "ok" and s.valid for s in bench.samples), [s.error or s.invalid_reason
                                                                       for s in bench.samples]
    assert all(s.digest["transcript_sha256"] for s in bench.samples)
    assert results.equivalence and all(e.matches for e in results.equivalence)
    assert set(bench.samples[0].phases) >= {"acquisition", "transcription", "analysis"}
    assert (tmp_path / "report" / "results.json").exists()


def test_cost_vs_length_scales_medians_by_media_minutes() -> None:
    from autointel.bench.analysis.lengths import cost_vs_length

    def bench(seconds: float, median: float) -> SessionResults:
        e2e = builders.summary(median, median - 1, median + 1)
        return builders.results([builders.cell(e2e=e2e)], [builders.sample(0, digest={"media_duration_s": seconds})],
                                depth="standard", llm_profile="instant")

    mixed = builders.results([builders.cell(e2e=builders.summary(5.0, 4.0, 6.0))],
                             [builders.sample(0, digest={"media_duration_s": 60.0}),
                              builders.sample(1, digest={"media_duration_s": 90.0})])
    rows = cost_vs_length({"one": bench(60.0, 12.0), "five": bench(300.0, 50.0), "mixed": mixed})
    assert [(r.bench, r.per_minute_s) for r in rows] == [("one", 12.0), ("five", 10.0)]  # two lengths: no minutes
    assert rows[1].per_minute_ci == (49 / 5, 51 / 5) and rows[1].media_duration_s == 300.0
    assert (rows[1].depth, rows[1].llm_profile, rows[1].peak_rss_median) == ("standard", "instant", None)


def test_cost_vs_length_without_a_ci_reports_none() -> None:
    """Under six runs a cell has no CI; the session end used to divide None and crash (issue 32)."""
    from autointel.bench.analysis.lengths import cost_vs_length

    e2e = builders.summary(8.0, -math.inf, math.inf)  # too few runs: an unbounded CI
    results = builders.results([builders.cell("all", "flow", e2e=e2e)],
                               [builders.sample(0, "all", "flow", digest={"media_duration_s": 120.0})])
    (row,) = cost_vs_length({"short": results})
    assert row.per_minute_s == 4.0
    assert row.per_minute_ci == (-math.inf, math.inf)
    nan = builders.results([builders.cell("all", "flow", e2e=builders.summary(8.0))],  # as read back from JSON
                           [builders.sample(0, "all", "flow", digest={"media_duration_s": 120.0})])
    (row,) = cost_vs_length({"short": nan})
    assert row.per_minute_s == 4.0 and all(math.isnan(bound) for bound in row.per_minute_ci)


def test_each_iteration_draws_new_llm_latencies_shared_by_every_cell(tmp_path: Path) -> None:
    """One replayed latency sequence would hide the provider's variation from the CIs; pairing keeps the
    comparison of cells fair within an iteration."""
    from autointel.llm.profiles import ProviderModel, load_profile

    seeds: list[int | None] = []

    def target(source: str, settings: Settings, resources: Resources | None = None) -> RunResult:
        seeds.append(settings.llm_seed)
        return SyntheticTarget(seed=None)(source, settings, resources)

    bench = session(tmp_path, target, combos="analysis", iterations=2, warmup=1)
    bench.run()
    assert len(seeds) == 6 and None not in seeds
    by_sample = {(s.combo, s.iteration, s.warmup): seed for s, seed in zip(bench.samples, seeds, strict=True)}
    for it in (0, 1):
        assert by_sample[("baseline", it, False)] == by_sample[("analysis", it, False)]
    assert by_sample[("baseline", 0, False)] != by_sample[("baseline", 1, False)]
    assert by_sample[("baseline", 0, True)] not in {by_sample[("baseline", i, False)] for i in (0, 1)}
    hosted = load_profile("hosted")
    models = [ProviderModel(hosted, seed=seed) for seed in (1, 2, 1)]
    draws = [[model._draw("t") for _ in range(3)] for model in models]
    assert draws[0] == draws[2] != draws[1] and len(set(draws[0])) == 3  # each turn of a task draws anew


def test_a_turn_waits_the_same_latency_whatever_order_the_tasks_call_in() -> None:
    """Concurrent tasks reach the provider in a different order every run and in every engine; the latency of
    a task's k-th turn must not depend on that order, or the cells of an iteration would not be paired."""
    from autointel.llm.profiles import ProviderModel, load_profile

    hosted = load_profile("hosted")
    calls = ["fact_check_1", "fact_check_2", "fact_check_1", "briefing"]
    one, other = ProviderModel(hosted, seed=7), ProviderModel(hosted, seed=7)
    forward = [(task, one._draw(task)) for task in calls]
    backward = [(task, other._draw(task)) for task in reversed(calls)]
    by_task: dict[str, list[float]] = {}
    for task, latency in backward:
        by_task.setdefault(task, []).append(latency)
    assert [(t, by_task[t].pop(0)) for t, _ in forward] == forward
    assert len({latency for _, latency in forward}) == 4  # distinct tasks and turns draw distinct latencies
