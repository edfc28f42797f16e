"""Measure one run: wall, process CPU, peak RSS, phases and steps, and prove what ran.

The target is called exactly as the CLI calls the engine, `target(source, settings, resources)`.
Anything it raises (except KeyboardInterrupt, which is the user stopping the session) becomes a
failed sample; a RunResult that is not `ok` is failed too. Validity compares the flags and engine the
result reports, and its structure fingerprint, with what was requested (`evidence`); the critical-path
bound comes from `dag_bound`, the peak RSS from `measurement.rss`.

Diagnostics (Python-heap peak via tracemalloc, memray capture, pyinstrument HTML) wrap the target
call of dedicated diagnostic runs only; their overhead would distort timings. The tracemalloc figure
is the overall Python-heap peak of the run, plus per-phase window peaks sampled while each phase ran
(see bench/heap.py for why the peak is not reset per phase).
"""

from __future__ import annotations

import gc
import importlib
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from autointel.bench.dag_bound import json_dicts, safe_critical_path_of, steps_with_deps
from autointel.bench.evidence import check_validity, digest_of, expected_fingerprint, flags_dict
from autointel.bench.heap import HeapSampler
from autointel.bench.samples import RunSample
from autointel.engines.resources import Resources
from autointel.measurement.rss import RSS_INTERVAL_S, peak_rss_meter
from autointel.model import RunResult, Status, to_jsonable
from autointel.settings import Settings

Target = Callable[[str, Settings, Resources | None], RunResult]


@dataclass(frozen=True)
class TargetRef:
    """An importable target (`module:attr`), so a fresh worker process can rebuild it."""

    path: str = "autointel.engines:run_engine"
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    factory: bool = False  # call attr(**kwargs) to get the target

    def load(self) -> Target:
        module, _, attr = self.path.partition(":")
        obj = getattr(importlib.import_module(module), attr)
        target: Target = obj(**self.kwargs) if self.factory else obj
        return target


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


def measure_run(
    target: Target,
    source: str,
    settings: Settings,
    resources: Resources | None = None,
    *,
    spec: RunSpec,
    diagnostics: Diagnostics = Diagnostics(),
    rss_interval_s: float = RSS_INTERVAL_S,
    collect_garbage: bool = True,
    isolated: bool = False,
) -> RunSample:
    expected = expected_fingerprint(settings)
    if collect_garbage:
        gc.collect()  # garbage from the previous run must not be collected on this run's clock
    proc = psutil.Process()
    rss_before = int(proc.memory_info().rss)
    heap_peaks: dict[str, int] = {}
    artifacts: dict[str, str] = {}
    result: RunResult | None = None
    error: str | None = None
    sampler = peak_rss_meter(proc, rss_interval_s)
    heap_sampler = HeapSampler() if diagnostics.heap else None
    with _instrumented(diagnostics, heap_peaks, artifacts):
        sampler.start()
        if heap_sampler is not None:
            heap_sampler.start()
        cpu0, t0 = _cpu(proc), time.perf_counter()
        try:
            result = target(source, settings, resources)
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
    if heap_sampler is not None and isinstance(result, RunResult):
        heap_peaks.update(heap_sampler.phase_peaks(result.phases, t0))
    if result is not None and not isinstance(result, RunResult):
        error, result = f"target returned {type(result).__name__}, not RunResult", None
    if result is not None and result.status is not Status.OK:
        details = "; ".join(f"{e.phase}: {e.type}: {e.message}" for e in result.errors) or "no error recorded"
        error = f"run status {result.status.value}: {details}"
    valid, reason, reported, actual = check_validity(settings, result, expected)
    steps = steps_with_deps(result) if result is not None else []
    crew_llm = ((result.crew or {}).get("llm") if result is not None else None) or {}
    return RunSample(
        run_id=spec.run_id,
        combo=spec.combo,
        engine=spec.engine,
        iteration=spec.iteration,
        warmup=spec.warmup,
        order=spec.order,
        flags_requested=flags_dict(settings.flags),
        flags_reported=reported,
        fingerprint_expected=expected,
        fingerprint_actual=actual,
        valid=valid,
        invalid_reason=reason,
        status="failed" if error is not None else "ok",
        error=error,
        digest=digest_of(result),
        e2e_s=e2e,
        cpu_process_s=cpu,
        peak_rss_bytes=peak,
        rss_before_bytes=rss_before,
        sampler_cpu_s=sampler.cpu_s,
        rss_method=sampler.method,
        phases={p.name: {"wall_s": p.wall_s, "cpu_s": p.cpu_s} for p in result.phases} if result else {},
        steps=steps,
        llm_calls=json_dicts(to_jsonable(crew_llm.get("calls", []))) if isinstance(crew_llm, dict) else [],
        heap_peaks=heap_peaks or None,
        purpose=spec.purpose,
        depth=settings.depth.value,
        isolated=isolated,
        critical_path=safe_critical_path_of(result, steps, e2e) if error is None else None,
        artifacts=artifacts,
    )


def failed_sample(settings: Settings, spec: RunSpec, error: str, e2e_s: float, isolated: bool) -> RunSample:
    """A run that produced no sample of its own (worker died, timed out, spoke garbage)."""
    return RunSample(
        run_id=spec.run_id, combo=spec.combo, engine=spec.engine, iteration=spec.iteration,
        warmup=spec.warmup, order=spec.order, flags_requested=flags_dict(settings.flags), flags_reported={},
        fingerprint_expected=expected_fingerprint(settings), fingerprint_actual=None, valid=False,
        invalid_reason="no result", status="failed", error=error, digest={}, e2e_s=e2e_s, cpu_process_s=0.0,
        peak_rss_bytes=0, rss_before_bytes=0, phases={}, steps=[], llm_calls=[], purpose=spec.purpose,
        depth=settings.depth.value, isolated=isolated,
    )
