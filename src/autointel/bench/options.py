"""Harness options as one immutable value, parsed once from the pytest command line / ini."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from autointel.errors import SettingsError
from autointel.settings import ENGINES, Flags

FAIL_ON_CHOICES = ("target", "memory", "regression", "invalid", "failed")
DEFAULT_FAIL_ON = frozenset({"invalid", "failed", "regression"})
ISOLATE_CHOICES = ("none", "process")
# The fewest past sessions a history verdict rests on: `stats.min_runs_for_median_ci()` (history.MIN_SESSIONS),
# spelled out here because the plugin reads this module at pytest start-up, before scipy is worth importing.
MIN_HISTORY_K = 6


@dataclass(frozen=True)
class BenchOptions:
    combos: tuple[Flags, ...] = (Flags(),)  # the flag combinations, the baseline (every flag off) first
    engines: tuple[str, ...] = ("pipeline",)
    iterations: int = 10
    warmup: int = 1
    llm_profile: str = "instant"
    report_dir: Path | None = None  # None: reports/<run id>
    target_s: float = 360.0
    memory_budget: float = 0.10
    threshold: float = 0.05
    alpha: float = 0.05
    isolate: str = "none"
    memray: bool = False
    profile: bool = False
    heap: bool = False
    history: Path | None = None
    history_k: int = MIN_HISTORY_K
    fail_on: frozenset[str] = field(default_factory=lambda: DEFAULT_FAIL_ON)
    seed: int = 0
    run_timeout_s: float = 3600.0

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise SettingsError("iterations must be >= 1")
        if self.warmup < 0:
            raise SettingsError("warmup must be >= 0")
        if self.isolate not in ISOLATE_CHOICES:
            raise SettingsError(f"isolate must be one of {ISOLATE_CHOICES}, got {self.isolate!r}")
        unknown = set(self.fail_on) - set(FAIL_ON_CHOICES)
        if unknown:
            raise SettingsError(f"unknown fail-on condition(s) {sorted(unknown)}; use {FAIL_ON_CHOICES}")
        bad = set(self.engines) - set(ENGINES)
        if bad or not self.engines:
            raise SettingsError(f"unknown engine(s) {sorted(bad)}; use {ENGINES}")
        if not self.combos or self.combos[0] != Flags():
            raise SettingsError("combos must start with baseline (every comparison needs it)")
        if self.history_k < MIN_HISTORY_K:
            raise SettingsError(f"history_k must be >= {MIN_HISTORY_K} "
                                "(fewer past sessions cannot support a 95% CI of their median)")


    @property
    def combo_names(self) -> tuple[str, ...]:
        """The combinations as their `Flags.name`s, as samples and reports name them."""
        return tuple(f.name for f in self.combos)

    def record(self) -> dict[str, object]:
        """These options as plain JSON values for a results file (combinations by name)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)} | {"combos": list(self.combo_names)}


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def parse_combos(text: str) -> tuple[Flags, ...]:
    """`matrix` = every combination of the parallel flags; otherwise a comma list of Flags.parse_combo
    names (`all` is the all-flags-on combination, `all+streaming_transcription` adds an optimisation).

    Baseline is always included, first.
    """
    text = text.strip().lower()
    if text == "matrix":
        found = list(Flags.all_combinations())
    else:
        found = [Flags.parse_combo(part) for part in text.split(",") if part.strip()]
    return tuple(dict.fromkeys([Flags(), *found]))


def parse_engines(text: str) -> tuple[str, ...]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    return tuple(dict.fromkeys(names))


def parse_fail_on(text: str) -> frozenset[str]:
    parts = (part.strip().lower() for part in text.split(","))
    return frozenset(p for p in parts if p and p != "none")


def new_run_id() -> str:
    """UTC timestamp + short random suffix: sortable, and unique across concurrent sessions."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def new_seed() -> int:
    return secrets.randbelow(2**31)
