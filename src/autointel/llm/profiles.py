"""Provider profiles: a model of what a hosted LLM imposes (latency, concurrency, rate limit).

A profile lets the offline backend meet the same queueing a real provider would, so parallel
crews are benchmarked against realistic waiting rather than free instant answers. Profiles are
models, not measurements; `AUTOINTEL_LLM_RECORD` writes a measured one from real calls.
"""

from __future__ import annotations

import json
import math
import threading
import time
import tomllib
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from autointel.errors import InputError, first_line


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str = "fixed"  # fixed | lognormal | replay
    median_s: float = 0.0
    sigma: float = 0.0  # lognormal shape
    samples_s: tuple[float, ...] = ()  # replay: recorded latencies, cycled in a seeded order
    concurrency: int = 0  # 0: unlimited
    rpm: int = 0  # requests per minute, 0: unlimited
    seed: int = 0
    source: str = ""  # where the numbers came from


PROFILE_KINDS = ("fixed", "lognormal", "replay")

BUILTIN_PROFILES: dict[str, Profile] = {
    "instant": Profile("instant", source="no latency: measures the framework's own overhead"),
    "fixed-0.3": Profile("fixed-0.3", median_s=0.3, source="a fixed 0.3 s per call, for overlap tests"),
    "hosted": Profile(
        "hosted",
        kind="lognormal",
        median_s=0.9,
        sigma=0.35,
        concurrency=8,
        rpm=500,
        source=(
            "assumed small hosted chat model: 500 RPM is a typical entry-tier rate limit; median 0.9 s and "
            "sigma 0.35 are assumptions for short ReAct turns, not measurements. Record your own with "
            "AUTOINTEL_LLM_RECORD."
        ),
    ),
}


def load_profile(spec: str) -> Profile:
    """A built-in name, or a .json / .toml file with the Profile fields."""
    if spec in BUILTIN_PROFILES:
        return BUILTIN_PROFILES[spec]
    path = Path(spec)
    if not path.is_file():
        raise InputError(f"unknown LLM profile {spec!r}: use one of {sorted(BUILTIN_PROFILES)} or a .json/.toml file")
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        first = first_line(exc)
        raise InputError(f"LLM profile {path} cannot be read: {first}") from None
    return profile_from_mapping(raw, path)


def profile_from_mapping(raw: object, path: Path) -> Profile:
    """Check a profile file field by field; each error names the file and the field."""
    if not isinstance(raw, dict):
        raise InputError(f"LLM profile {path}: must be a JSON object or TOML table of fields, not {type(raw).__name__}")
    known = {f.name for f in fields(Profile)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"LLM profile {path}: unknown field {unknown[0]!r}; known fields are {sorted(known)}")
    values = {name: _field(path, name, value) for name, value in raw.items()}
    values.setdefault("name", path.stem)
    profile = Profile(**values)  # type: ignore[arg-type]  # each value checked by _field
    if profile.kind == "replay" and not profile.samples_s:
        raise InputError(f"LLM profile {path}: field 'samples_s' must list latencies for kind 'replay'")
    return profile


_MAX_LATENCY_S = 3600.0  # an hour per call: beyond that a profile models an outage, not a provider
_MAX_SIGMA = 5.0  # lognormal shape: e**(5 sigma) already spans ten orders of magnitude; more overflows exp()
_TEXT_FIELDS = ("name", "source")
_COUNT_FIELDS = {"concurrency": 10_000, "rpm": 10_000_000, "seed": 2**63 - 1}


def _field(path: Path, name: str, value: object) -> object:
    where = f"LLM profile {path}: field {name!r}"
    if name in _TEXT_FIELDS:
        if not isinstance(value, str):
            raise InputError(f"{where} must be a string")
        return value
    if name == "kind":
        if value not in PROFILE_KINDS:
            raise InputError(f"{where} must be one of {list(PROFILE_KINDS)}, not {value!r}")
        return value
    if name in _COUNT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _COUNT_FIELDS[name]:
            raise InputError(f"{where} must be a whole number from 0 to {_COUNT_FIELDS[name]}, not {value!r}")
        return value
    if name == "samples_s":
        if not isinstance(value, list | tuple):
            raise InputError(f"{where} must be a list of seconds")
        return tuple(_latency(where, x) for x in value)
    if name == "sigma":
        return _latency(where, value, _MAX_SIGMA)
    return _latency(where, value)  # median_s


def _latency(where: str, value: object, maximum: float = _MAX_LATENCY_S) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= maximum:
        raise InputError(f"{where} must be a finite number from 0 to {maximum:g}, not {value!r}")
    return float(value)


@dataclass(frozen=True)
class CallRecord:
    task: str
    start_s: float
    end_s: float
    queued_s: float
    latency_s: float
    prompt_tokens: int
    completion_tokens: int


@dataclass
class ProviderModel:
    """Per-run state of a profile: seeded latency draws, a concurrency gate and a rate limiter.

    The k-th call of a task waits a latency drawn from (seed, task, k), not the next number of one stream:
    with concurrent tasks the order calls arrive in changes from run to run and engine to engine, and one
    stream would hand a different latency to each task every time. Keyed draws give every engine and every
    combination of a bench iteration the same wait for the same turn, so their comparison is paired turn by turn.
    """

    profile: Profile
    t0: float = field(default_factory=time.perf_counter)
    seed: int | None = None  # overrides the profile's seed: benchmarks draw anew per iteration
    calls: list[CallRecord] = field(default_factory=list)
    _gate: threading.BoundedSemaphore | None = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: deque[float] = field(default_factory=deque)
    _turns: dict[str, int] = field(default_factory=dict)  # task -> calls drawn so far

    def __post_init__(self) -> None:
        self._gate = threading.BoundedSemaphore(self.profile.concurrency) if self.profile.concurrency else None

    def _draw(self, task: str) -> float:
        p = self.profile
        if p.kind not in ("lognormal", "replay") or (p.kind == "lognormal" and p.median_s <= 0):
            return p.median_s
        with self._lock:
            turn = self._turns.get(task, 0)
            self._turns[task] = turn + 1
        seed = self.profile.seed if self.seed is None else self.seed
        rng = np.random.default_rng([seed, zlib.crc32(task.encode()), turn])
        if p.kind == "lognormal":
            return float(p.median_s * math.exp(p.sigma * rng.standard_normal()))
        return float(p.samples_s[int(rng.integers(len(p.samples_s)))])

    def _wait_for_rate(self) -> None:
        if not self.profile.rpm:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                while self._recent and now - self._recent[0] >= 60.0:
                    self._recent.popleft()
                if len(self._recent) < self.profile.rpm:
                    self._recent.append(now)
                    return
                wait = 60.0 - (now - self._recent[0])
            time.sleep(max(wait, 0.001))

    @contextmanager
    def call(self, task: str, prompt_tokens: int) -> Iterator[list[int]]:
        """Queue like a provider would, then hold the connection for the drawn latency."""
        queued = time.perf_counter()
        latency = self._draw(task)
        if self._gate is not None:
            self._gate.acquire()
        try:
            self._wait_for_rate()
            start = time.perf_counter()
            if latency > 0:
                time.sleep(latency)
            completion = [0]
            yield completion
            end = time.perf_counter()
        finally:
            if self._gate is not None:
                self._gate.release()
        record = CallRecord(
            task=task,
            start_s=start - self.t0,
            end_s=end - self.t0,
            queued_s=start - queued,
            latency_s=end - start,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion[0],
        )
        with self._lock:
            self.calls.append(record)


def approximate_tokens(texts: Sequence[str]) -> int:
    """About four characters per token (the usual rule of thumb for English BPE vocabularies)."""
    return sum((len(t) + 3) // 4 for t in texts)


def record_profile(path: Path, model: str, latencies_s: Sequence[float]) -> Profile:
    """Add measured call latencies to a replay profile file (created if missing), atomically."""
    from autointel.atomic import atomic_write_text

    previous: list[float] = []
    if path.is_file():
        try:
            previous = [float(x) for x in json.loads(path.read_text()).get("samples_s", [])]
        except (ValueError, AttributeError):
            raise InputError(f"AUTOINTEL_LLM_RECORD: {path} exists and is not a profile file") from None
    samples = [*previous, *(round(x, 6) for x in latencies_s if x >= 0)]
    profile = Profile(
        name=path.stem,
        kind="replay",
        samples_s=tuple(samples),
        median_s=float(np.median(samples)) if samples else 0.0,
        source=f"recorded from {model}: {len(samples)} real calls",
    )
    data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(profile).items()}
    atomic_write_text(path, json.dumps(data, indent=2))
    return profile
