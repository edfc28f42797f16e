"""The goals' vocabulary: limits, the goal specs (one source of truth for G1-G8's wording) and the helpers that
turn one measured place into a judged goal. The goals themselves live in `goals` (the entry point, G5-G8) and
`goals_speed` (G1-G4). The verdicts are the harness's (`autointel.bench.analysis.goal_merge`), so the plugin and
`autointel report --goals` read these rows as they read any provider's."""

from __future__ import annotations

import dataclasses
import math
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autointel import stats
from autointel.bench.analysis.goal_merge import MEASURED, NOT_MEASURED, RANK
from autointel.model.bench_results import GoalRow
from autointel.settings import DEFAULT_ENGINE

G1_LIMIT, G1_STRETCH = 0.57, 0.48  # all-flags crew / sequential crew
BOUND_LIMIT = 1.05  # e2e / critical-path bound
CREW_LIMIT = 1.05  # crew / pipeline
MEMORY_LIMIT = 1.10  # peak RSS / sequential baseline
LENGTH_TOLERANCE = 0.15  # time per minute of media
LENGTH_SPAN_MIN = (1.0, 20.0)  # the media lengths G6 speaks about, reached within 5%
SLOPE_LIMIT = 1.0  # log-log slope of peak memory vs minutes
SPEED_MIN = 15.0  # x real time
OVERHEAD_LIMIT = 1.02  # recorded / unrecorded
HELP_LIMIT_S = 0.5

# The names benchmarks record through `autointel_bench.add_measurement` (the G8 channel).
UNRECORDED = "harness_overhead.unrecorded_s"
RECORDED = {"default": "harness_overhead.default_s", "tracemalloc": "harness_overhead.tracemalloc_s",
            "memray": "harness_overhead.memray_s"}
# The default mode's own work per round: its time outside the target call plus its RSS sampler's CPU time.
ACCOUNTED = "harness_overhead.accounted_s"
CLI_HELP = "cli_help_s"

FULL = "benchmarks/test_flag_matrix.py via `nox -s bench -- --full`"
BOTH_ENGINES = "benchmarks/test_flag_matrix.py --autointel-engines=pipeline,flow (or crew)"
HOSTED_ENGINES = BOTH_ENGINES + " --autointel-llm-profile=hosted"
STREAMING = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+streaming_transcription"
BATCHED = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+batched_vector_writes"
BACKGROUND = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+background_graph_commit"
LENGTHS = "benchmarks/test_media_length.py (20 min with --full)"
OVERHEAD = "benchmarks/test_harness_overhead.py"


def higher_is_worse(value: float) -> float:
    return value


def lower_is_worse(value: float) -> float:
    return -value


def farther_from_one_is_worse(value: float) -> float:
    return abs(value - 1.0)


@dataclass(frozen=True)
class GoalSpec:
    id: str
    text: str
    target: str
    benchmark: str  # what measures it, named when this session did not
    # Which of two figures with the same verdict is the worse: within a session and across merged sessions.
    badness: Callable[[float], float] = higher_is_worse


SPECS: tuple[GoalSpec, ...] = (
    GoalSpec("G1.1", "All-flags crew median e2e time relative to the sequential crew's, default CrewAI engine "
             f"({DEFAULT_ENGINE}; other CrewAI engines listed), hosted provider profile, experimental depth",
             f"<= {G1_LIMIT}x (stretch <= {G1_STRETCH}x)", FULL),
    GoalSpec("G1.2", "All-flags crew e2e time relative to the critical-path bound of the task DAG it ran (its crew "
             "layout when recorded, else the plan; hosted, experimental), median over runs, default CrewAI engine",
             f"<= {BOUND_LIMIT}x (within 5%)", FULL),
    GoalSpec("G2.1", "CrewAI engine median e2e relative to the pipeline engine's on the same combination, DAG and "
             "provider profile with LLM latency (the pipeline waits the same turns); default CrewAI engine "
             f"({DEFAULT_ENGINE}), worst combination", f"<= {CREW_LIMIT}x", HOSTED_ENGINES),
    GoalSpec("G2.2", "CrewAI's own overhead per task with the instant profile: engine minus pipeline median e2e "
             "of the sequential baseline, per task", "measured", BOTH_ENGINES + " (instant profile)"),
    GoalSpec("G3", "Streaming transcription (all+streaming_transcription): seconds of the transcribe span during "
             "which a stream* consumer ran, median over runs", "> 0 s in every counted run", STREAMING,
             lower_is_worse),
    GoalSpec("G4.1", "Batched vector writes: all+batched_vector_writes / all, median e2e", "measured", BATCHED),
    GoalSpec("G4.2", "Batched vector writes: all+batched_vector_writes / all, integration phase", "measured",
             BATCHED),
    GoalSpec("G4.3", "Background graph commit: all+background_graph_commit / all, median e2e", "measured",
             BACKGROUND),
    GoalSpec("G4.4", "Background graph commit: all+background_graph_commit / all, integration phase", "measured",
             BACKGROUND),
    GoalSpec("G5", "Peak RSS of every combination relative to the sequential baseline, isolated processes "
             "(worst combination)", f"<= {MEMORY_LIMIT:.2f}x", FULL + " (isolated processes)"),
    GoalSpec("G6.1", "Time per minute of media: the worst length's per-minute median relative to the median of "
             "the per-minute medians over lengths", f"every length within +-{LENGTH_TOLERANCE:.0%}; lengths "
             f"{LENGTH_SPAN_MIN[0]:.0f} to {LENGTH_SPAN_MIN[1]:.0f} min", LENGTHS, farther_from_one_is_worse),
    GoalSpec("G6.2", "Peak memory growth with media length: log-log slope of peak RSS (isolated runs) or "
             "tracemalloc peak against minutes of media", f"< {SLOPE_LIMIT:.0f} (sub-linear)",
             LENGTHS + " with --autointel-isolate=process or --autointel-heap"),
    GoalSpec("G7", "Transcription speed (standard depth): media duration / transcribe step wall time, sequential "
             "baseline, median over runs (slowest bench)", f">= {SPEED_MIN:.0f}x real time", OVERHEAD,
             lower_is_worse),
    GoalSpec("G8.1", "Harness recording, default mode: wall time relative to an unrecorded run of the same "
             "orchestrator call", f"<= {OVERHEAD_LIMIT}x", OVERHEAD),
    GoalSpec("G8.2", "Harness recording, tracemalloc mode, relative to an unrecorded run", "measured", OVERHEAD),
    GoalSpec("G8.3", "Harness recording, memray mode, relative to an unrecorded run", "measured", OVERHEAD),
    GoalSpec("G8.4", "`autointel --help` wall time in a fresh process, median", f"< {HELP_LIMIT_S} s", OVERHEAD),
    GoalSpec("G8.5", "Harness recording, default mode, accounted: 1 + the harness's own time per run (its "
             "bookkeeping outside the target call plus its RSS sampler thread's CPU time) / the same round's "
             "unrecorded run, median over rounds; what G8.1's wall ratio measures, without the target's noise",
             f"<= {OVERHEAD_LIMIT}x", OVERHEAD),
)
SPEC = {s.id: s for s in SPECS}


Goal = GoalRow  # a judged goal is the harness's GoalRow, built here by `make_goal`


@dataclass(frozen=True)
class Figure:
    """One place a goal was measured; the goal keeps the worst."""

    value: float
    low: float | None
    high: float | None
    verdict: str
    label: str
    n: int | None = None
    how: str = ""
    note: str = ""


def num(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def with_ci(row: Mapping[str, Any], point: str, low: str, high: str, digits: int = 3, unit: str = "") -> str:
    """`point[unit] [low, high]` from a results row; "[no CI]" where a bound is missing or infinite."""
    value, lo, hi = (num(row.get(k), math.nan) for k in (point, low, high))
    bounds = f"[{lo:.{digits}f}, {hi:.{digits}f}]" if math.isfinite(lo) and math.isfinite(hi) else "[no CI]"
    return f"{value:.{digits}f}{unit} {bounds}"


def check(low: Any, high: Any, **limit: Any) -> str:
    """limit_check with a missing (non-finite, nulled by `json_safe`) bound read as unbounded."""
    return stats.limit_check(num(low, float("-inf")), num(high, float("inf")), **limit)


def make_goal(spec: GoalSpec, **values: Any) -> Goal:
    # A two-sided goal (G6.1, farther from 1 is worse) merges as higher-is-worse: its worst length is the dearest.
    return Goal(id=spec.id, goal=spec.id.split(".")[0], text=spec.text, target=spec.target,
                measured_by=spec.benchmark, higher_is_worse=spec.badness is not lower_is_worse, **values)


def not_measured(spec: GoalSpec, why: str) -> Goal:
    """No data in this session: `note` says why, `measured_by` names the benchmark that has it."""
    return make_goal(spec, verdict=NOT_MEASURED, note=why)


def judged(spec: GoalSpec, figures: Sequence[Figure], unit: str, why: str) -> Goal:
    """The worst figure (by verdict, then by the spec's `badness` of its value) stands for the goal; a
    "measured" goal shows its first place. Every place is listed when there are several."""
    if not figures:
        return not_measured(spec, why)
    worst = min(figures, key=lambda f: (RANK.get(f.verdict, 0), -spec.badness(f.value)))
    if worst.verdict == MEASURED:
        worst = figures[0]
    details = tuple({"label": f.label, "value": f.value, "ci_low": f.low, "ci_high": f.high, "verdict": f.verdict,
                     "n": f.n, "note": f.note} for f in figures) if len(figures) > 1 else ()
    return make_goal(spec, verdict=worst.verdict, value=worst.value, ci_low=worst.low, ci_high=worst.high, unit=unit,
                 n=worst.n, where=worst.label, how=worst.how, note=worst.note, details=details)


def session_meta(results: Mapping[str, Any]) -> dict[str, Any]:
    meta = results.get("session")
    return meta if isinstance(meta, dict) else {}


def describe(bench: str, results: Mapping[str, Any], what: str) -> str:
    meta = session_meta(results)
    isolate = (meta.get("options") or {}).get("isolate", "?")
    argv = [str(a) for a in meta.get("command_line") or []]
    command = f"; command: {shlex.join(argv)}" if argv else ""
    return (f"{what}; bench {bench}: {meta.get('depth', '?')} depth, {meta.get('llm_profile', '?')} profile, "
            f"isolate {isolate}{command}")


def pairing(row: Mapping[str, Any]) -> str:
    """How the row's CI was drawn, for a goal's `how`: the bench's iterations are blocks (`bench.blocks`)."""
    return ", paired by iteration" if row.get("paired") else ", unpaired"


def rows_of(results: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
    yield from (r for r in results.get(key) or [] if isinstance(r, dict))


def cell_of(results: Mapping[str, Any], combo: str, engine: str) -> dict[str, Any]:
    return next((c for c in rows_of(results, "cells") if (c.get("combo"), c.get("engine")) == (combo, engine)), {})


def summary_figure(summary: Any, verdict: str, label: str, how: str, note: str = "") -> Figure | None:
    if not isinstance(summary, dict) or summary.get("median") is None:
        return None
    return Figure(float(summary["median"]), summary.get("ci_low"), summary.get("ci_high"), verdict, label,
                   summary.get("n"), how, note)


def judged_on_default(spec: GoalSpec, figures: Sequence[tuple[str, Figure]], unit: str, why: str) -> Goal:
    """Judged on the default engine's figures (the engine users get); a session that measured only other
    CrewAI engines is judged on those. Every engine's figure stays listed in `details`, with its verdict."""
    chosen = [f for engine, f in figures if engine == DEFAULT_ENGINE] or [f for _, f in figures]
    goal = judged(spec, chosen, unit, why)
    others = [f for f in (f for _, f in figures) if f not in chosen]
    if not others:
        return goal
    details = tuple({"label": f.label, "value": f.value, "ci_low": f.low, "ci_high": f.high, "verdict": f.verdict,
                     "n": f.n, "note": f.note} for _, f in figures)
    told = "; ".join(f"{f.label} {f.value:.3f} ({f.verdict})" for f in others)
    note = "; ".join(x for x in (goal.note, f"judged on the default engine ({DEFAULT_ENGINE}); also {told}") if x)
    return dataclasses.replace(goal, details=details, note=note)


def first_rows(benches: Mapping[str, Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    return next((list(rows_of(r, key)) for r in benches.values() if r.get(key)), [])
