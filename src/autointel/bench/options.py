"""Harness options as one immutable value, parsed once from the pytest command line / ini."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from autointel.errors import SettingsError
from autointel.model.combo import Combo, ComboError, FlagSpace
from autointel.settings import AUTOINTEL_FLAGS

FAIL_ON_CHOICES = ("target", "memory", "regression", "invalid", "failed")
DEFAULT_FAIL_ON = frozenset({"invalid", "failed", "regression"})
ISOLATE_CHOICES = ("none", "process")
# The fewest past sessions a history verdict rests on: `stats.min_runs_for_median_ci()` (history.MIN_SESSIONS),
# spelled out here because the plugin reads this module at pytest start-up, before scipy is worth importing.
MIN_HISTORY_K = 6


@dataclass(frozen=True)
class BenchOptions:
    combos: tuple[Combo, ...] = (AUTOINTEL_FLAGS.baseline,)  # the flag combinations, baseline (all off) first
    engines: tuple[str, ...] = ("pipeline",)
    combo_spec: str = ""  # the combinations as given ("" = their names), parsed again for another pipeline's flags
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
        if not self.combos or self.combos[0] != self.combos[0].space.baseline:
            raise SettingsError("combos must start with baseline (every comparison needs it)")
        if any(c.space != self.space for c in self.combos):
            raise SettingsError("every combination must be of the same pipeline's flags")
        bad = set(self.engines) - set(self.space.engines)
        if bad or not self.engines:
            raise SettingsError(f"unknown engine(s) {sorted(bad)}; use {list(self.space.engines)}")
        if self.history_k < MIN_HISTORY_K:
            raise SettingsError(f"history_k must be >= {MIN_HISTORY_K} "
                                "(fewer past sessions cannot support a 95% CI of their median)")


    @property
    def space(self) -> FlagSpace:
        """The flags of the pipeline these combinations belong to."""
        return self.combos[0].space

    @property
    def combo_names(self) -> tuple[str, ...]:
        """The combinations by name, as samples and reports name them."""
        return tuple(c.name for c in self.combos)

    def for_space(self, space: FlagSpace) -> BenchOptions:
        """These options for a pipeline with other flags: the combinations parsed again against its flags, the
        engines it has among those asked for (else its first engine)."""
        if space == self.space:
            return self
        spec = self.combo_spec or ",".join(self.combo_names)
        try:
            combos = space.parse_list(spec)
        except ComboError as exc:
            raise SettingsError(str(exc)) from None
        engines = tuple(e for e in self.engines if e in space.engines) or space.engines[:1]
        return replace(self, combos=combos, engines=engines)

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


def parse_combos(text: str, space: FlagSpace = AUTOINTEL_FLAGS) -> tuple[Combo, ...]:
    """`matrix` = every combination of the factor flags; otherwise a comma list of `FlagSpace.parse` names
    (`all` is the all-factors-on combination, `all+streaming_transcription` adds an extra). Baseline first."""
    try:
        return space.parse_list(text)
    except ComboError as exc:
        raise SettingsError(str(exc)) from None


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
