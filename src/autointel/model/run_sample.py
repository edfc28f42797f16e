"""One measured run as a frozen, JSON-round-trippable record: the unit the harness persists and the results hold.

Counting rules (so every run is counted exactly once, and a crash is never a success):
* `status` is "failed" when the target raised, its worker died or timed out, or its RunResult was
  not `ok`; `error` says why.
* `valid` is False when the run could not prove it ran what was asked: reported flags or engine
  differ from the requested ones, or the structure fingerprint differs from the expected one. A run
  without a result has nothing to prove: valid=False with reason "no result".
* Statistics use only runs with purpose "measure", warmup False, status "ok" and valid True.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PURPOSES = ("measure", "heap", "memray", "profile")
"""`measure` runs feed the timing statistics; the others are diagnostic runs whose instrumentation
overhead (tracemalloc 3.7-5x, memray 1.4-1.6x, pyinstrument) would distort the timings."""


@dataclass(frozen=True)
class RunSample:
    run_id: str
    combo: str
    engine: str
    iteration: int
    warmup: bool
    order: int
    flags_requested: dict[str, bool]
    flags_reported: dict[str, bool]
    fingerprint_expected: str
    fingerprint_actual: str | None
    valid: bool
    invalid_reason: str | None
    status: str  # ok | failed
    error: str | None
    digest: dict[str, Any]
    e2e_s: float
    cpu_process_s: float
    peak_rss_bytes: int
    rss_before_bytes: int
    phases: dict[str, dict[str, float]]
    steps: list[dict[str, Any]]
    llm_calls: list[dict[str, Any]]
    heap_peaks: dict[str, int] | None = None
    purpose: str = "measure"
    depth: str = ""
    isolated: bool = False  # ran in a fresh worker process (peak RSS comparable across runs)
    critical_path: dict[str, Any] | None = None  # bound_s, path, efficiency (+ layout_bound_s for crew)
    artifacts: dict[str, str] = field(default_factory=dict)  # diagnostic files (memray .bin, profile .html)
    sampler_cpu_s: float | None = None  # CPU time of the harness's RSS sampler thread during the run
    rss_method: str | None = None  # kernel_hwm (Linux's exact high-water mark) or polled (every 15 ms)

    @property
    def counts(self) -> bool:
        """Does this run belong in the timing statistics?"""
        return self.purpose == "measure" and not self.warmup and self.status == "ok" and self.valid

    @property
    def cell(self) -> tuple[str, str]:
        return (self.combo, self.engine)
