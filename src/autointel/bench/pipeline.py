"""The seam between the harness and the pipeline it benchmarks.

The harness schedules cells, times runs, samples memory and judges; everything it needs to know about the
pipeline crosses here. A pipeline declares its flags (`FlagSpace`) and, per run, is `prepare`d off the clock
into a `Run`: calling the run is the only thing timed, and `outcome` (off the clock again) says what the run
did: its phases, steps, the flags it reports, the structure it built and a digest of its work. autointel's own
engines are one such pipeline (`bench.autointel_pipeline`); `FunctionPipeline` wraps a plain function.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from autointel.model.combo import Combo, FlagSpace


@dataclass(frozen=True)
class PhaseTime:
    """One phase of a run: when it started (seconds after the run's start), how long it spanned, its own CPU."""

    name: str
    start_s: float
    wall_s: float
    cpu_s: float | None = None

    @property
    def end_s(self) -> float:
        return self.start_s + self.wall_s


@dataclass(frozen=True)
class Outcome:
    """What one run says about itself. `error` None means it succeeded. `flags` and `engine` are what the run
    reports it ran (None: it does not say, and is taken at its word); `structure` / `expected_structure` a
    fingerprint of what it built and of what the requested flags should build; `digest` what it produced
    (equal digests across combinations: the same work)."""

    error: str | None = None
    flags: Mapping[str, bool] | None = None
    engine: str | None = None
    structure: str | None = None
    expected_structure: str | None = None
    digest: Mapping[str, Any] = field(default_factory=dict)
    phases: tuple[PhaseTime, ...] = ()
    steps: tuple[Mapping[str, Any], ...] = ()  # name, phase, start_s, end_s, wall_s[, deps, streams, context]
    critical_path: Mapping[str, Any] | None = None
    llm_calls: tuple[Mapping[str, Any], ...] = ()
    depth: str = ""


class Run(Protocol):
    """One prepared run: calling it is the timed work; `outcome` reads what it returned (or raised) afterwards."""

    def __call__(self) -> object: ...

    def outcome(self, returned: object | None, error: str | None, e2e_s: float) -> Outcome: ...


@runtime_checkable
class Pipeline(Protocol):
    """What the harness benchmarks."""

    @property
    def space(self) -> FlagSpace: ...

    def prepare(self, source: str, combo: Combo, engine: str, seed: int) -> Run:
        """A run of `combo` on `engine`; `seed` is the same for every cell of one iteration (paired noise)."""
        ...

    def describe(self) -> Mapping[str, Any]:
        """The settings a reader needs to reproduce a session (JSON values); `depth` if the pipeline has one."""
        ...


@dataclass(frozen=True)
class PipelineRef:
    """How a fresh worker process rebuilds a pipeline: `module:attr` called with `kwargs` (JSON values)."""

    path: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # set in the worker's environment
    unset: tuple[str, ...] = ()  # removed from the worker's environment

    def load(self) -> Pipeline:
        module, _, attr = self.path.partition(":")
        built = getattr(importlib.import_module(module), attr)(**self.kwargs)
        if not isinstance(built, Pipeline):
            raise TypeError(f"{self.path} built {type(built).__name__}, not a Pipeline")
        return built


class PhaseClock:
    """Times the phases of a plain function: `with clock.phase("load"): ...`, thread-safe, CPU per thread."""

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()
        self._phases: list[PhaseTime] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            wall, own = time.perf_counter() - start, time.thread_time() - cpu
            with self._lock:
                self._phases.append(PhaseTime(name, start - self._t0, wall, own))

    def phases(self) -> tuple[PhaseTime, ...]:
        with self._lock:
            return tuple(sorted(self._phases, key=lambda p: (p.start_s, p.name)))

    def steps(self) -> tuple[dict[str, Any], ...]:
        """The phases as timeline steps (one step per phase)."""
        return tuple({"name": p.name, "phase": p.name, "start_s": p.start_s, "end_s": p.end_s, "wall_s": p.wall_s}
                     for p in self.phases())


# A plain function benchmarked by `FunctionPipeline`: (source, flags on/off, engine, clock) -> its work's digest.
PipelineFunction = Callable[[str, Mapping[str, bool], str, PhaseClock], Mapping[str, Any]]


@dataclass(frozen=True)
class FunctionPipeline:
    """A pipeline that is one function timing its own phases with a `PhaseClock`: the function returns a digest
    of its work, and takes the flags it must honour. `ref` (a `module:attr` naming this pipeline or a factory
    of it) lets process isolation rebuild it in a worker."""

    space: FlagSpace
    function: PipelineFunction
    settings: Mapping[str, Any] = field(default_factory=dict)
    ref_path: str | None = None

    def prepare(self, source: str, combo: Combo, engine: str, seed: int) -> Run:
        return _FunctionRun(self.function, source, combo.values(), engine)

    def describe(self) -> Mapping[str, Any]:
        return dict(self.settings)

    def ref(self) -> PipelineRef | None:
        return PipelineRef(self.ref_path) if self.ref_path else None


@dataclass
class _FunctionRun:
    function: PipelineFunction
    source: str
    flags: dict[str, bool]
    engine: str
    clock: PhaseClock = field(default_factory=PhaseClock)

    def __call__(self) -> object:
        self.clock = PhaseClock()
        return self.function(self.source, dict(self.flags), self.engine, self.clock)

    def outcome(self, returned: object | None, error: str | None, e2e_s: float) -> Outcome:
        if error is None and not isinstance(returned, Mapping):
            error = f"the function returned {type(returned).__name__}, not a digest mapping"
        digest = dict(returned) if isinstance(returned, Mapping) else {}
        return Outcome(error=error, digest=digest, phases=self.clock.phases(), steps=self.clock.steps())
