"""Step spans: when each unit of work ran, on which thread, and what CPU it used.

Times are seconds from the run's own start (`time.perf_counter` based), so spans from
concurrent threads share one clock and overlap can be read straight off the records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from autointel.model import PhaseRecord, StepRecord
from autointel.model.progress import StepStarted


@dataclass
class SpanRecorder:
    t0: float = field(default_factory=time.perf_counter)
    _steps: list[StepRecord] = field(default_factory=list)
    listener: Callable[[StepRecord], None] | None = None  # told of each step as it ends
    on_start: Callable[[StepStarted], None] | None = None  # told of each step as it begins
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    @contextmanager
    def step(self, name: str, phase: str) -> Iterator[None]:
        start = self.now()
        if self.on_start is not None:
            self.on_start(StepStarted(name, phase, start))
        thread_cpu0 = time.thread_time()
        process_cpu0 = time.process_time()
        status = "failed"
        try:
            yield
            status = "ok"
        finally:
            end = self.now()
            self.add(
                StepRecord(
                    name=name,
                    phase=phase,
                    start_s=start,
                    end_s=end,
                    wall_s=end - start,
                    cpu_s=time.thread_time() - thread_cpu0,
                    process_cpu_s=time.process_time() - process_cpu0,
                    thread=threading.current_thread().name,
                    status=status,
                )
            )

    def skipped(self, name: str, phase: str) -> None:
        self._instant(name, phase, "skipped")

    def failed(self, name: str, phase: str) -> None:
        """A step that failed before its own work began (its provider turn raised)."""
        self._instant(name, phase, "failed")

    def _instant(self, name: str, phase: str, status: str) -> None:
        at = self.now()
        self.add(StepRecord(name, phase, at, at, 0.0, 0.0, 0.0, threading.current_thread().name, status))

    def add(self, record: StepRecord) -> None:
        with self._lock:
            self._steps.append(record)
        if self.listener is not None:
            self.listener(record)

    def steps(self) -> tuple[StepRecord, ...]:
        with self._lock:
            return tuple(sorted(self._steps, key=lambda s: (s.start_s, s.name)))


def phases_from_steps(steps: tuple[StepRecord, ...], order: tuple[str, ...]) -> tuple[PhaseRecord, ...]:
    """A phase spans from its first step's start to its last step's end; CPU is the sum over its steps."""
    records = []
    for phase in order:
        ran = [s for s in steps if s.phase == phase and s.status != "skipped"]
        if not ran:
            continue
        start = min(s.start_s for s in ran)
        end = max(s.end_s for s in ran)
        status = "failed" if any(s.status == "failed" for s in ran) else "ok"
        records.append(PhaseRecord(phase, start, end, end - start, sum(s.cpu_s for s in ran), status))
    return tuple(records)
