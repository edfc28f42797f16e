"""Measure one run: wall, process CPU, peak RSS, phases and steps, and prove what ran.

The pipeline prepares the run off the clock; only the call is timed, and what the run says about itself
(`Outcome`) is read afterwards. Anything the call raises (except KeyboardInterrupt, which is the user stopping
the session) becomes a failed sample. Validity compares the flags and engine the run reports, and its
structure fingerprint, with what was requested; the peak RSS comes from `measurement.rss`.

Diagnostics (Python-heap peak via tracemalloc, memray capture, pyinstrument HTML) wrap the call of
dedicated diagnostic runs only; their overhead would distort timings. The tracemalloc figure
is the overall Python-heap peak of the run, plus per-phase window peaks sampled while each phase ran
(see bench/heap.py for why the peak is not reset per phase).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from autointel.bench.heap import HeapSampler
from autointel.bench.pipeline import Outcome, Run
from autointel.bench.samples import RunSample
from autointel.measurement.rss import RSS_INTERVAL_S, peak_rss_meter


@dataclass(frozen=True)
class RunSpec:
    """Who this run is within the session (copied verbatim into the sample)."""

    run_id: str
    combo: str
    engine: str
    iteration: int = 0
    warmup: bool = False
    order: int = 0
    purpose: str = "measure"


@dataclass(frozen=True)
class Diagnostics:
    heap: bool = False
    memray_path: str | None = None
    profile_path: str | None = None


@contextmanager
def _instrumented(diag: Diagnostics, heap_peaks: dict[str, int], artifacts: dict[str, str]) -> Iterator[None]:
    """Wrap a diagnostic run; at most one instrument is meant to be active per run."""
    started = False
    if diag.heap:
        started = not tracemalloc.is_tracing()
        if started:
            tracemalloc.start()
        tracemalloc.reset_peak()
    profiler: Any = None
    if diag.profile_path:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
    try:
        if diag.memray_path:
            import memray

            Path(diag.memray_path).parent.mkdir(parents=True, exist_ok=True)
            with memray.Tracker(destination=memray.FileDestination(diag.memray_path, overwrite=True)):
                yield
            heap_peaks["memray_peak_bytes"] = int(memray.FileReader(diag.memray_path).metadata.peak_memory)
            artifacts["memray"] = diag.memray_path
        else:
            yield
    finally:
        if diag.heap:
            heap_peaks["python_heap_peak_bytes"] = int(tracemalloc.get_traced_memory()[1])
            if started:
                tracemalloc.stop()
        if profiler is not None and diag.profile_path:
            profiler.stop()
            Path(diag.profile_path).parent.mkdir(parents=True, exist_ok=True)
            Path(diag.profile_path).write_text(profiler.output_html(), encoding="utf-8")
            artifacts["profile"] = diag.profile_path


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def measure(
    run: Run,
    spec: RunSpec,
    flags: Mapping[str, bool],
    *,
    diagnostics: Diagnostics = Diagnostics(),
    rss_interval_s: float = RSS_INTERVAL_S,
    collect_garbage: bool = True,
    isolated: bool = False,
) -> RunSample:
    """Time `run()` (nothing else is on the clock) and record what it says about itself; `flags` are the
    requested combination's flags, on or off."""
    if collect_garbage:
        gc.collect()  # garbage from the previous run must not be collected on this run's clock
    proc = psutil.Process()
    rss_before = int(proc.memory_info().rss)
    heap_peaks: dict[str, int] = {}
    artifacts: dict[str, str] = {}
    returned: object | None = None
    error: str | None = None
    sampler = peak_rss_meter(proc, rss_interval_s)
    heap_sampler = HeapSampler() if diagnostics.heap else None
    with _instrumented(diagnostics, heap_peaks, artifacts):
        sampler.start()
        if heap_sampler is not None:
            heap_sampler.start()
        cpu0, t0 = _cpu(proc), time.perf_counter()
        try:
            returned = run()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # any crash, SystemExit included, is a failed run
            error = f"{type(exc).__name__}: {exc}"
        finally:
            e2e = time.perf_counter() - t0
            cpu = _cpu(proc) - cpu0
            peak = sampler.stop()
            if heap_sampler is not None:
                heap_sampler.stop()
    outcome = _read_outcome(run, returned, error, e2e)
    if heap_sampler is not None:
        heap_peaks.update(heap_sampler.phase_peaks(outcome.phases, t0))
    valid, reason = check_validity(outcome, flags, spec.engine)
    return RunSample(
        run_id=spec.run_id, combo=spec.combo, engine=spec.engine, iteration=spec.iteration, warmup=spec.warmup,
        order=spec.order, flags_requested=dict(flags),
        flags_reported=_reported(outcome, flags, reason),
        fingerprint_expected=outcome.expected_structure or "", fingerprint_actual=outcome.structure,
        valid=valid, invalid_reason=reason, status="failed" if outcome.error is not None else "ok",
        error=outcome.error, digest=dict(outcome.digest), e2e_s=e2e, cpu_process_s=cpu, peak_rss_bytes=peak,
        rss_before_bytes=rss_before, sampler_cpu_s=sampler.cpu_s, rss_method=sampler.method,
        phases={p.name: {"wall_s": p.wall_s} | ({"cpu_s": p.cpu_s} if p.cpu_s is not None else {})
                for p in outcome.phases},
        steps=[dict(s) for s in outcome.steps], llm_calls=[dict(c) for c in outcome.llm_calls],
        heap_peaks=heap_peaks or None, purpose=spec.purpose, depth=outcome.depth, isolated=isolated,
        critical_path=dict(outcome.critical_path) if outcome.critical_path is not None else None,
        artifacts=artifacts,
    )


def _reported(outcome: Outcome, flags: Mapping[str, bool], reason: str | None) -> dict[str, bool]:
    """The flags the run reports; one that does not say is taken at its word, one with no result reports none."""
    if outcome.flags is not None:
        return dict(outcome.flags)
    return {} if reason == "no result" else dict(flags)


def _read_outcome(run: Run, returned: object | None, error: str | None, e2e_s: float) -> Outcome:
    """The run's own account; bookkeeping that fails turns the run into a failed one, never a crash."""
    try:
        return run.outcome(returned, error, e2e_s)
    except Exception as exc:
        return Outcome(error=f"reading the run's outcome failed: {type(exc).__name__}: {exc}")


def check_validity(outcome: Outcome, flags: Mapping[str, bool], engine: str) -> tuple[bool, str | None]:
    """A run is valid when what it reports ran matches what was asked (the old harness trusted its settings and
    leaked flags between combinations)."""
    if outcome.error is not None and not outcome.phases and not outcome.digest:
        return False, "no result"
    reasons = []
    if outcome.flags is not None and dict(outcome.flags) != dict(flags):
        reasons.append(f"flags reported {dict(outcome.flags)} != requested {dict(flags)}")
    if outcome.engine is not None and outcome.engine != engine:
        reasons.append(f"engine reported {outcome.engine!r} != requested {engine!r}")
    if outcome.expected_structure is not None and outcome.structure != outcome.expected_structure:
        reasons.append(f"structure fingerprint {outcome.structure} != expected {outcome.expected_structure}")
    return not reasons, "; ".join(reasons) or None


def failed_sample(spec: RunSpec, flags: Mapping[str, bool], error: str, e2e_s: float, isolated: bool,
                  depth: str = "") -> RunSample:
    """A run that produced no sample of its own (worker died, timed out, spoke garbage)."""
    return RunSample(
        run_id=spec.run_id, combo=spec.combo, engine=spec.engine, iteration=spec.iteration,
        warmup=spec.warmup, order=spec.order, flags_requested=dict(flags), flags_reported={},
        fingerprint_expected="", fingerprint_actual=None, valid=False,
        invalid_reason="no result", status="failed", error=error, digest={}, e2e_s=e2e_s, cpu_process_s=0.0,
        peak_rss_bytes=0, rss_before_bytes=0, phases={}, steps=[], llm_calls=[], purpose=spec.purpose,
        depth=depth, isolated=isolated,
    )
