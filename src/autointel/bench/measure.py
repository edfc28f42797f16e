"""Measure one run: wall, process CPU, peak RSS, phases and steps, and prove what ran.

The target is called exactly as the CLI calls the engine, `target(source, settings, resources)`.
Anything it raises (except KeyboardInterrupt, which is the user stopping the session) becomes a
failed sample; a RunResult that is not `ok` is failed too. Validity compares the flags and engine the
result reports, and its structure fingerprint, with what was requested (see `samples`).

Diagnostics (Python-heap peak via tracemalloc, memray capture, pyinstrument HTML) wrap the target
call of dedicated diagnostic runs only; their overhead would distort timings. The tracemalloc figure
is the overall Python-heap peak of the run, plus per-phase window peaks sampled while each phase ran
(see bench/heap.py for why the peak is not reset per phase).
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import re
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from autointel.bench.heap import HeapSampler
from autointel.bench.samples import RunSample
from autointel.engines.plan import build_plan
from autointel.engines.resources import Resources
from autointel.model import RunResult, Status, to_jsonable
from autointel.settings import AGENTIC_ENGINES, Flags, Settings

Target = Callable[[str, Settings, Resources | None], RunResult]
RSS_INTERVAL_S = 0.015


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


class RssSampler:
    """Polls the process RSS from a daemon thread; the peak is the max over polls and both ends.

    The fallback where the kernel's high-water mark cannot be reset (see `KernelPeakRss`). `cpu_s` is the
    thread's own CPU time: the part of the harness's cost that runs beside the target."""

    method = "polled"

    def __init__(self, proc: psutil.Process, interval_s: float = RSS_INTERVAL_S) -> None:
        self._proc = proc
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="autointel-rss", daemon=True)
        self.peak = 0
        self.cpu_s = 0.0

    def _poll(self) -> None:
        with suppress(psutil.Error):
            self.peak = max(self.peak, int(self._proc.memory_info().rss))

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            self._poll()
        self.cpu_s = time.thread_time()  # this thread's CPU since it started (read before join returns)

    def start(self) -> None:
        self._poll()
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self._poll()
        return self.peak


class KernelPeakRss:
    """The run's exact peak RSS from Linux's own high-water mark (VmHWM), reset when the run starts.

    No thread and no polls: nothing runs beside the target (a 15 ms poller cost about 14 ms of CPU per second,
    most of the harness's own work on a 1 s run), and no peak between two polls is missed.
    """

    method = "kernel_hwm"
    cpu_s = 0.0

    def __init__(self, proc_dir: Path = Path("/proc/self")) -> None:
        self._status, self._clear_refs = proc_dir / "status", proc_dir / "clear_refs"

    @classmethod
    def available(cls, proc_dir: Path = Path("/proc/self")) -> KernelPeakRss | None:
        """A meter if this process may reset its high-water mark (Linux 4.0+, /proc mounted), else None."""
        meter = cls(proc_dir)
        try:
            meter.start()
            meter.stop()
        except (OSError, ValueError):
            return None
        return meter

    def start(self) -> None:
        self._clear_refs.write_text("5")  # 5: reset the peak RSS to the current RSS (proc(5), clear_refs)

    def stop(self) -> int:
        match = re.search(r"^VmHWM:\s+(\d+) kB$", self._status.read_text(), re.MULTILINE)
        if match is None:
            raise ValueError("no VmHWM line in /proc/self/status")
        return int(match.group(1)) * 1024


def peak_rss_meter(proc: psutil.Process, interval_s: float = RSS_INTERVAL_S) -> KernelPeakRss | RssSampler:
    """The kernel's high-water mark where it can be reset, else a polling thread."""
    return KernelPeakRss.available() or RssSampler(proc, interval_s)


def flags_dict(flags: Flags | Any) -> dict[str, bool]:
    return {k: bool(v) for k, v in to_jsonable(flags).items()}


def expected_fingerprint(settings: Settings) -> str:
    """The structure the settings must produce: the plan's, the crew layout's or the flow's."""
    plan = build_plan(settings.depth, settings.flags, settings.fact_check_workers)
    if settings.engine == "flow":
        from autointel.engines.flow import describe_flow

        return str(describe_flow(plan)["fingerprint"])
    if settings.engine == "crew":
        from autointel.engines.crew import crew_layout, describe_layout  # heavy: only when asked

        return str(describe_layout(crew_layout(plan))["fingerprint"])
    return str(plan.describe()["fingerprint"])


def actual_fingerprint(result: RunResult) -> str | None:
    info = result.crew if result.engine in AGENTIC_ENGINES else result.plan
    value = (info or {}).get("fingerprint")
    return None if value is None else str(value)


def check_validity(
    settings: Settings, result: RunResult | None, expected: str
) -> tuple[bool, str | None, dict[str, bool], str | None]:
    """(valid, reason, flags reported, fingerprint reported)."""
    if result is None:
        return False, "no result", {}, None
    reported = flags_dict(result.flags)
    actual = actual_fingerprint(result)
    requested = flags_dict(settings.flags)
    reasons = []
    if reported != requested:
        reasons.append(f"flags reported {reported} != requested {requested}")
    if result.engine != settings.engine:
        reasons.append(f"engine reported {result.engine!r} != requested {settings.engine!r}")
    if actual != expected:
        reasons.append(f"structure fingerprint {actual} != expected {expected}")
    return not reasons, "; ".join(reasons) or None, reported, actual


def digest_of(result: RunResult | None) -> dict[str, Any]:
    """What the run produced, order-independent: equal digests mean the same work was done."""
    if result is None:
        return {}
    claims = result.verification.claims if result.verification else ()
    text = result.transcript.text if result.transcript else None
    return {
        "transcript_sha256": hashlib.sha256(text.encode()).hexdigest() if text is not None else None,
        "claims": len(claims),
        "verdicts": [c.verdict.value for c in sorted(claims, key=lambda c: (c.start_s, c.text))],
        "fallacies": sorted(f.type for f in result.analysis.fallacies) if result.analysis else None,
        "media_duration_s": round(result.media.duration_s, 3) if result.media else None,
    }


def _steps_with_deps(result: RunResult) -> list[dict[str, Any]]:
    plan_deps = {s["name"]: list(s["deps"]) for s in _dicts((result.plan or {}).get("steps"))}
    context = {t["name"]: list(t["context"]) for t in _dicts((result.crew or {}).get("tasks"))}
    out = []
    for step in result.steps:
        row: dict[str, Any] = to_jsonable(step)
        row["deps"] = plan_deps.get(step.name, [])
        if step.name in context:
            row["context"] = context[step.name]
        out.append(row)
    return out


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _critical_path(result: RunResult, steps: list[dict[str, Any]], e2e_s: float) -> dict[str, Any] | None:
    """Bound from the plan's DAG and measured step walls; also the bound of the task graph the engine ran."""
    from autointel.stats import critical_path, efficiency

    plan_steps = _dicts((result.plan or {}).get("steps"))
    wall = {s["name"]: float(s["wall_s"]) for s in steps}
    spans = {s["name"]: (float(s["start_s"]), float(s["end_s"])) for s in steps}
    if not plan_steps or any(s["name"] not in wall for s in plan_steps) or e2e_s <= 0:
        return None
    graph = [(s["name"], [*s["deps"], *s.get("streams", ())], s.get("streams", ())) for s in plan_steps]
    bound, path = critical_path(_timed(graph, wall, spans))
    out: dict[str, Any] = {"bound_s": bound, "path": list(path), "efficiency": efficiency(bound, e2e_s)}
    # The task graph the engine ran (the crew's layout, else the plan) timed by its tasks (LLM turn and step).
    timings = {t["name"]: t for t in _dicts((result.crew or {}).get("task_timings"))}
    tasks = _dicts((result.crew or {}).get("tasks")) or [{"name": s["name"], "context": s["deps"]} | (
        {"streams": s["streams"]} if s.get("streams") else {}) for s in plan_steps]
    if timings and all(isinstance(timings.get(t["name"], {}).get("end_s"), (int, float)) for t in tasks):
        task_spans = {t["name"]: (float(timings[t["name"]]["start_s"]), float(timings[t["name"]]["end_s"]))
                      for t in tasks}
        span = {name: max(0.0, end - start) for name, (start, end) in task_spans.items()}
        layout = [(t["name"], [*t["context"], *t.get("streams", ())], t.get("streams", ())) for t in tasks]
        out["layout_bound_s"] = critical_path(_timed(layout, span, task_spans))[0]
    return out


def _timed(
    graph: list[tuple[str, list[str], Any]], duration: dict[str, float], spans: dict[str, tuple[float, float]]
) -> list[tuple[str, list[str], float]]:
    """Weight each node by its duration; a node that streams others only by its tail after they ended (what
    it did while they ran overlapped them, and no schedule ends it before them), so the bound stays a bound."""
    out: list[tuple[str, list[str], float]] = []
    for name, deps, streams in graph:
        if not streams:
            out.append((name, deps, duration[name]))
            continue
        start, end = spans[name]
        out.append((name, deps, max(0.0, end - max([start, *(spans[src][1] for src in streams)]))))
    return out


def _safe_critical_path(
    result: RunResult | None, steps: list[dict[str, Any]], e2e_s: float
) -> dict[str, Any] | None:
    """Bookkeeping must never turn a finished run into a crash: an inconsistent DAG yields no bound."""
    if result is None:
        return None
    try:
        return _critical_path(result, steps, e2e_s)
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


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
    steps = _steps_with_deps(result) if result is not None else []
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
        llm_calls=_dicts(to_jsonable(crew_llm.get("calls", []))) if isinstance(crew_llm, dict) else [],
        heap_peaks=heap_peaks or None,
        purpose=spec.purpose,
        depth=settings.depth.value,
        isolated=isolated,
        critical_path=_safe_critical_path(result, steps, e2e) if error is None else None,
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
