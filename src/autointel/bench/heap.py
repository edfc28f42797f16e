"""Per-phase Python-heap peaks for tracemalloc diagnostic runs.

Phases overlap under the flags, so `tracemalloc.reset_peak()` per phase would steal peaks from the
phases running beside it. Instead a thread samples the traced heap every few milliseconds, and each
phase gets the largest sample inside its own time window: the peak while that phase was running
(shared with whatever overlapped it), a lower bound on the true peak by at most one sampling interval.
"""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Sequence

from autointel.bench.pipeline import PhaseTime

HEAP_INTERVAL_S = 0.005


class HeapSampler:
    def __init__(self, interval_s: float = HEAP_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="autointel-heap-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if tracemalloc.is_tracing():
                self._samples.append((time.perf_counter(), tracemalloc.get_traced_memory()[0]))
            self._stop.wait(self._interval_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def phase_peaks(self, phases: Sequence[PhaseTime], run_t0: float) -> dict[str, int]:
        """Largest traced-heap sample within each phase's window (times relative to `run_t0`)."""
        peaks: dict[str, int] = {}
        for phase in phases:
            start, end = run_t0 + phase.start_s, run_t0 + phase.end_s + self._interval_s
            inside = [size for at, size in self._samples if start <= at <= end]
            if inside:
                peaks[f"phase:{phase.name}"] = max(inside)
        return peaks
