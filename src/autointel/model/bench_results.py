"""What one benchmark session found, as typed values: the analysis builds it, every renderer reads only it.

`SessionResults.to_json` / `from_json` are the results.json format, versioned by `SCHEMA_VERSION`; the change log
is in docs/results-schema.md. Rows mirror the JSON objects field for field, so a reader of the file and a reader
of the code see the same names. Floats that are not finite are null in JSON and NaN here (`Number`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from autointel.model.run_sample import RunSample
from autointel.model.serialize import json_safe
from autointel.model.statistics import NAN, Comparison, Effect, Number, Summary

SCHEMA_VERSION = 6
CHANGELOG: tuple[tuple[int, str], ...] = (
    (1, "The untyped document: the same fields, but a row left out the keys it had no value for (an "
        "`insufficient` comparison had no `ratio`)."),
    (2, "Written from the typed model: every row carries all its fields, `null` (or `false`) where there is no "
        "value. Version 1 files are read unchanged: the fields they lack take their defaults."),
    (3, "`banner.checks`: each fail-on condition as judged (state, what it checked, whether it gates the "
        "verdict); `banner.verdict` may be `inconclusive` (no condition held, one could not be decided). Goals "
        "come from the project's `pytest_autointel_goals` hook; `GoalRow.higher_is_worse` (default `true`) says "
        "which of two equal verdicts is the worse. Older files read unchanged, with no checks."),
    (4, "`cells[].phase_cpu`: each phase's own work (its steps' thread CPU) beside its span (`phases`), and "
        "comparisons on it (`metric` `phase-cpu:NAME`), because under concurrency a span includes waiting. "
        "Older files read unchanged, with no CPU rows."),
    (5, "Any pipeline: flags are named as the benchmarked pipeline's `FlagSpace` names them, so autointel's "
        "`cells[].flags`, `samples[].flags_requested` / `flags_reported` and flag effects read `memory_ops`, "
        "`analysis`, `fact_checking` (the names its combinations use) instead of `parallel_memory_ops`, ...; "
        "`session.depth` and `session.llm_profile` are empty for a pipeline without them; `session.settings` is "
        "what the pipeline's `describe()` says. Older files read unchanged, with their old flag names."),
    (6, "`cells[].llm`: per run, the LLM calls, their prompt and completion tokens, the time they waited for a "
        "free server slot, the time they took, and (a local server's own account) its prompt evaluation and "
        "generation, each summarised over the counted runs. Older files read unchanged, without it."),
)
"""What each schema version changed; `from_dict` reads every version listed here."""

T = TypeVar("T")

PHASE_SPAN = "phase"  # a metric "phase:NAME": the phase's span, first start to last end (waiting included)
PHASE_WORK = "phase-cpu"  # a metric "phase-cpu:NAME": the phase's own work, its steps' thread CPU


@dataclass(frozen=True)
class CellCounts:
    """How a cell's runs were counted (`RunSample.counts`): only `ok` runs enter a statistic."""

    runs: int
    measured: int
    ok: int
    failed: int
    invalid: int
    warmup: int
    diagnostic: int


@dataclass(frozen=True)
class Representative:
    """The cell's median run, shown as its typical timeline."""

    order: int
    e2e_s: Number
    max_parallel: int


@dataclass(frozen=True)
class LLMLoad:
    """A cell's LLM calls per run, each summarised over its counted runs: where the model's time went."""

    calls: Summary | None = None
    prompt_tokens: Summary | None = None
    completion_tokens: Summary | None = None
    queued_s: Summary | None = None  # summed over a run's calls: waiting for a free slot (or the profile's gate)
    call_s: Summary | None = None  # summed: from request to answer
    prompt_s: Summary | None = None  # summed: the local server's prompt evaluation (its log)
    generate_s: Summary | None = None  # summed: the local server's generation (its log)


@dataclass(frozen=True)
class CellStats:
    """One (combination, engine) cell: counts and the summaries of its counted runs."""

    combo: str
    engine: str
    flags: dict[str, bool]
    counts: CellCounts
    errors: tuple[str, ...] = ()
    invalid_reasons: tuple[str, ...] = ()
    e2e: Summary | None = None
    p95_ci: tuple[Number, Number] | None = None
    target_median: str | None = None
    target_p95: str | None = None
    cpu: Summary | None = None
    peak_rss: Summary | None = None
    phases: dict[str, Summary | None] = field(default_factory=dict)  # each phase's span (wall; includes waiting)
    phase_cpu: dict[str, Summary | None] = field(default_factory=dict)  # its own work: its steps' thread CPU
    critical_path_bound: Summary | None = None
    efficiency: Summary | None = None
    layout_bound: Summary | None = None
    e2e_per_bound: Summary | None = None
    bound_kind: str | None = None
    transcription_speed: Summary | None = None
    stream_overlap_s: tuple[float, ...] = ()
    stream_overlap: Summary | None = None
    heap_peaks: tuple[dict[str, int], ...] = ()
    artifacts: tuple[dict[str, str], ...] = ()
    cpu_per_wall: Summary | None = None
    counted_orders: tuple[int, ...] = ()
    representative: Representative | None = None
    llm: LLMLoad | None = None


@dataclass(frozen=True, kw_only=True)
class MetricComparison(Comparison):
    """A candidate against its reference on one metric ("e2e", "phase:NAME" for a phase's span, which includes
    waiting under concurrency, or "phase-cpu:NAME" for its own work): the baseline for `comparisons`,
    the twin without optimisation flags (`reference`) for `optimisations`."""

    engine: str
    metric: str
    reference: str | None = None

    @classmethod
    def of(cls, engine: str, metric: str, found: Comparison, reference: str | None = None) -> MetricComparison:
        return cls(engine=engine, metric=metric, reference=reference, **dataclasses.asdict(found))


@dataclass(frozen=True, kw_only=True)
class EngineCost(Comparison):
    """A CrewAI engine against the pipeline engine on the same combination: the framework's own cost."""

    engine: str
    combo: str
    diff_s: Number = NAN
    diff_ci_low: Number = NAN
    diff_ci_high: Number = NAN
    tasks: int | None = None
    per_task_ms: Number = NAN
    per_task_ci: tuple[Number, Number] | None = None


@dataclass(frozen=True)
class Headroom:
    """The critical-path bound of the DAG a combination ran over the baseline's e2e: the best any schedule can do."""

    engine: str
    combo: str
    bound_kind: str
    ratio: Number
    ratio_ci_low: Number
    ratio_ci_high: Number
    n: int
    n_baseline: int
    paired: bool


@dataclass(frozen=True, kw_only=True)
class EffectRow(Effect):
    """A main effect (`kind` "main") or two-way interaction of the flags on e2e time, per engine."""

    engine: str
    kind: str

    @classmethod
    def of(cls, engine: str, kind: str, effect: Effect) -> EffectRow:
        return cls(engine=engine, kind=kind, **dataclasses.asdict(effect))


@dataclass(frozen=True)
class MemoryCheck:
    """Peak RSS of a combination over the baseline's against the budget (judged only for isolated runs)."""

    engine: str
    combo: str
    budget: float
    verdict: str
    ratio: Number = NAN
    ci_low: Number = NAN
    ci_high: Number = NAN
    comparable: bool | None = None
    paired: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class Equivalence:
    """Did a cell do the same work as the reference baseline (output digests)?"""

    combo: str
    engine: str
    matches: bool
    stable: bool
    differs_in: tuple[str, ...]
    mismatched_runs: int


@dataclass(frozen=True)
class HistoryCheck:
    """This session's baseline against the medians of the last `k` comparable sessions."""

    engine: str
    k: int
    n_sessions: int
    medians: tuple[float, ...]
    run_ids: tuple[str | None, ...]
    verdict: str
    ratio: Number = NAN
    ratio_ci_low: Number = NAN
    ratio_ci_high: Number = NAN
    p_value: Number = NAN


@dataclass(frozen=True)
class Check:
    """One fail-on condition as the verdict judged it: its state, what it looked at and on how many runs.

    `state` is fail, inconclusive (the data cannot decide: a slowdown the CIs cannot rule out), pass, or
    not_measured (nothing to check, e.g. no combination beside the baseline); `gates` says whether it is one of
    the session's fail-on conditions, the only ones the verdict rests on."""

    name: str
    title: str
    state: str
    detail: str
    gates: bool


@dataclass(frozen=True)
class Banner:
    """The session's verdict (pass, inconclusive or fail), the checks it rests on, and one headline."""

    verdict: str
    triggered: tuple[str, ...]
    fail_on: tuple[str, ...]
    conditions: dict[str, bool]
    reasons: tuple[str, ...]
    headline: str
    failed_runs: int
    invalid_runs: int
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class SessionInfo:
    """Where and how the session ran. `settings`, `options` and `machine` are records of inputs, kept as given."""

    run_id: str
    name: str
    command_line: tuple[str, ...] = ()
    seed: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    source: str | None = None
    depth: str | None = None
    llm_profile: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    report_dir: str = ""
    recovered: str | None = None


@dataclass(frozen=True)
class LengthCost:
    """One cell's median e2e per minute of media, for the cross-bench cost-against-length view."""

    bench: str
    combo: str
    engine: str
    depth: str | None
    llm_profile: str | None
    media_duration_s: float
    median_s: Number
    ci_low: Number
    ci_high: Number
    per_minute_s: Number
    per_minute_ci: tuple[Number, Number]
    peak_rss_median: Number | None = None


@dataclass(frozen=True)
class MemoryScaling:
    """Log-log slope of peak memory against minutes of media across benches (< 1: sub-linear)."""

    engine: str
    combo: str
    depth: str | None
    llm_profile: str | None
    metric: str
    minutes: tuple[float, ...]
    n: tuple[int, ...]
    slope: Number
    ci_low: Number
    ci_high: Number


@dataclass(frozen=True)
class CostModel:
    """e2e as a fixed cost per run plus a marginal cost per minute of media, across benches."""

    engine: str
    combo: str
    depth: str | None
    llm_profile: str | None
    minutes: tuple[float, ...]
    n: tuple[int, ...]
    fixed_s: Number
    fixed_ci_low: Number
    fixed_ci_high: Number
    per_minute_s: Number
    per_minute_ci_low: Number
    per_minute_ci_high: Number


@dataclass(frozen=True)
class Measurement:
    """Extra samples a benchmark recorded by name (`autointel_bench.add_measurement`)."""

    name: str
    unit: str
    values: tuple[float, ...]
    tests: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stretch:
    target: str
    verdict: str


@dataclass(frozen=True)
class GoalRow:
    """One judged goal (a goal provider's verdict on this pytest session)."""

    id: str
    goal: str
    text: str
    target: str
    verdict: str
    value: Number | None = None
    ci_low: Number | None = None
    ci_high: Number | None = None
    unit: str = ""
    n: int | None = None
    where: str = ""
    how: str = ""
    note: str = ""
    measured_by: str = ""
    stretch: Stretch | None = None
    details: tuple[dict[str, Any], ...] = ()
    session: str | None = None
    # Which of two values with the same verdict is the worse one; set by the goal's provider, since only it knows
    # (a speed goal is lower-is-worse). `autointel report ROOT --goals` keeps the worse across sessions.
    higher_is_worse: bool = True


@dataclass(frozen=True)
class OtherSession:
    run_id: str | None
    name: str | None
    path: str


@dataclass(frozen=True)
class CellDelta:
    """A cell's counted e2e runs against the same cell of another session (ratio > 1: this one is slower)."""

    engine: str
    combo: str
    n: int
    n_other: int
    verdict: str | None = None
    median: Number = NAN
    other_median: Number = NAN
    ratio: Number = NAN
    ratio_ci_low: Number = NAN
    ratio_ci_high: Number = NAN
    p_adjusted: Number = NAN
    unstable: bool = False


@dataclass(frozen=True)
class SessionComparison:
    other: OtherSession
    rows: tuple[CellDelta, ...]


@dataclass(frozen=True)
class BenchAnalysis:
    """Every statistic of one session's samples (`autointel.bench.analysis.analyze.analyze`)."""

    cells: tuple[CellStats, ...] = ()
    comparisons: tuple[MetricComparison, ...] = ()
    optimisations: tuple[MetricComparison, ...] = ()
    engines: tuple[EngineCost, ...] = ()
    headroom: tuple[Headroom, ...] = ()
    effects: tuple[EffectRow, ...] = ()
    memory: tuple[MemoryCheck, ...] = ()
    equivalence: tuple[Equivalence, ...] = ()


@dataclass(frozen=True)
class SessionResults:
    """results.json of one bench: the session, its analysis, its verdict and every run it recorded."""

    session: SessionInfo
    banner: Banner
    cells: tuple[CellStats, ...] = ()
    comparisons: tuple[MetricComparison, ...] = ()
    optimisations: tuple[MetricComparison, ...] = ()
    engines: tuple[EngineCost, ...] = ()
    headroom: tuple[Headroom, ...] = ()
    effects: tuple[EffectRow, ...] = ()
    memory: tuple[MemoryCheck, ...] = ()
    equivalence: tuple[Equivalence, ...] = ()
    history: tuple[HistoryCheck, ...] = ()
    notes: tuple[str, ...] = ()
    samples: tuple[RunSample, ...] = ()
    goals: tuple[GoalRow, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    cost_vs_length: tuple[LengthCost, ...] = ()
    memory_vs_length: tuple[MemoryScaling, ...] = ()
    cost_model: tuple[CostModel, ...] = ()
    compare: SessionComparison | None = None
    schema: int = SCHEMA_VERSION

    @classmethod
    def of(
        cls, session: SessionInfo, banner: Banner, analysis: BenchAnalysis, history: tuple[HistoryCheck, ...] = (),
        notes: tuple[str, ...] = (), samples: tuple[RunSample, ...] = (),
    ) -> SessionResults:
        a = analysis
        return cls(session=session, banner=banner, cells=a.cells, comparisons=a.comparisons,
                   optimisations=a.optimisations, engines=a.engines, headroom=a.headroom, effects=a.effects,
                   memory=a.memory, equivalence=a.equivalence, history=history, notes=notes, samples=samples)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (non-finite floats as null), at the current schema version."""
        data: dict[str, Any] = json_safe(_RESULTS.dump_python(self, mode="json"))
        data["schema"] = SCHEMA_VERSION
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    @classmethod
    def from_dict(cls, data: object) -> SessionResults:
        """Read any known schema version; raises `ResultsFormatError` for anything else."""
        if not isinstance(data, dict):
            raise ResultsFormatError("not a JSON object")
        version = data.get("schema", 1)
        if type(version) is not int or version not in {v for v, _ in CHANGELOG}:
            raise ResultsFormatError(f"schema version {version!r} (this autointel reads 1 to {SCHEMA_VERSION})")
        return _validated(_RESULTS, {**data, "schema": SCHEMA_VERSION}, "")

    @classmethod
    def from_json(cls, text: str) -> SessionResults:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ResultsFormatError(f"invalid JSON: {exc.msg} (line {exc.lineno})") from None


class ResultsFormatError(ValueError):
    """A results document this version cannot read, with the first field that is wrong."""


def goal_rows(items: object) -> tuple[GoalRow, ...]:
    """Goal rows from their JSON form (a goal provider's output, or index.json's `goals`)."""
    return _validated(_GOALS, items, "goals.")


def measurement_rows(items: object) -> tuple[Measurement, ...]:
    """Measurement rows from their JSON form (measurements.jsonl entries merged by name)."""
    return _validated(_MEASUREMENTS, items, "measurements.")


def _validated(adapter: TypeAdapter[T], data: object, where: str) -> T:
    """`data` as the adapter's type, or `ResultsFormatError` naming the first wrong field (after `where`)."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ResultsFormatError(f"{where}{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


# Built and first used at import, not on first use: the first validation imports more of pydantic (its dataclass
# validators, its plugin loader), and doing that inside an in-process pytester run would leave those modules
# half-registered for whatever imports pydantic next (crewai).
_RESULTS = TypeAdapter(SessionResults)
_GOALS = TypeAdapter(tuple[GoalRow, ...])
_MEASUREMENTS = TypeAdapter(tuple[Measurement, ...])
_GOALS.validate_python(())
_MEASUREMENTS.validate_python(())
