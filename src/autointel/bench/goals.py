"""The project's performance goals (the "Performance" issue, G1-G8), judged from one pytest session.

Every goal is read off what the session already holds: analyze's cells, comparisons, memory, engines,
optimisations and the cross-bench cost/memory-vs-length rows, plus the extra measurements benchmarks
send through `autointel_bench.add_measurement` (harness overhead, CLI latency). Nothing is re-measured
here and every statistic comes from `autointel.stats`. Verdicts:

* "pass" / "fail": the 95% CI lies wholly on the good / bad side of the limit (`stats.limit_check`);
  otherwise "inconclusive". A goal measured in several places takes its worst place (never the best).
* "measured": a figure the issue asks to show, not to bound (G2.2, G4, G8.2, G8.3).
* "not_measured": the session has no data for it; the note says why and which benchmark measures it.
"""

from __future__ import annotations

import dataclasses
import math
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autointel import stats
from autointel.settings import AGENTIC_ENGINES, DEFAULT_ENGINE

PASS, FAIL, INCONCLUSIVE, MEASURED, NOT_MEASURED = "pass", "fail", "inconclusive", "measured", "not_measured"
VERDICTS = (PASS, FAIL, INCONCLUSIVE, MEASURED, NOT_MEASURED)

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
CLI_HELP = "cli_help_s"

FULL = "benchmarks/test_flag_matrix.py via `nox -s bench -- --full`"
BOTH_ENGINES = "benchmarks/test_flag_matrix.py --autointel-engines=pipeline,flow (or crew)"
HOSTED_ENGINES = BOTH_ENGINES + " --autointel-llm-profile=hosted"
STREAMING = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+streaming_transcription"
BATCHED = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+batched_vector_writes"
BACKGROUND = "benchmarks/test_flag_matrix.py --autointel-combos=all,all+background_graph_commit"
LENGTHS = "benchmarks/test_media_length.py (20 min with --full)"
OVERHEAD = "benchmarks/test_harness_overhead.py"


@dataclass(frozen=True)
class GoalSpec:
    id: str
    text: str
    target: str
    benchmark: str  # what measures it, named when this session did not


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
             "which a stream* consumer ran, median over runs", "> 0 s in every counted run", STREAMING),
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
             f"{LENGTH_SPAN_MIN[0]:.0f} to {LENGTH_SPAN_MIN[1]:.0f} min", LENGTHS),
    GoalSpec("G6.2", "Peak memory growth with media length: log-log slope of peak RSS (isolated runs) or "
             "tracemalloc peak against minutes of media", f"< {SLOPE_LIMIT:.0f} (sub-linear)",
             LENGTHS + " with --autointel-isolate=process or --autointel-heap"),
    GoalSpec("G7", "Transcription speed (standard depth): media duration / transcribe step wall time, sequential "
             "baseline, median over runs (slowest bench)", f">= {SPEED_MIN:.0f}x real time", OVERHEAD),
    GoalSpec("G8.1", "Harness recording, default mode: wall time relative to an unrecorded run of the same "
             "orchestrator call", f"<= {OVERHEAD_LIMIT}x", OVERHEAD),
    GoalSpec("G8.2", "Harness recording, tracemalloc mode, relative to an unrecorded run", "measured", OVERHEAD),
    GoalSpec("G8.3", "Harness recording, memray mode, relative to an unrecorded run", "measured", OVERHEAD),
    GoalSpec("G8.4", "`autointel --help` wall time in a fresh process, median", f"< {HELP_LIMIT_S} s", OVERHEAD),
)
SPEC = {s.id: s for s in SPECS}


@dataclass(frozen=True)
class Goal:
    """One judged goal, as it goes into results.json (`dataclasses.asdict`)."""

    id: str
    goal: str  # the goal it belongs to (G1 for G1.1 and G1.2)
    text: str
    target: str
    verdict: str
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    unit: str = ""
    n: int | None = None
    where: str = ""  # the bench and cells of the figure shown, in a few words
    how: str = ""  # how it was computed: statistic, bench, profile, depth and the command
    note: str = ""
    measured_by: str = ""
    stretch: dict[str, Any] | None = None
    details: list[dict[str, Any]] = field(default_factory=list)  # every place it was measured, when several


@dataclass(frozen=True)
class _Figure:
    """One place a goal was measured; the goal keeps the worst."""

    value: float
    low: float | None
    high: float | None
    verdict: str
    label: str
    n: int | None = None
    how: str = ""
    note: str = ""


_RANK = {FAIL: 0, INCONCLUSIVE: 1, PASS: 2, MEASURED: 3}


def _num(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _with_ci(row: Mapping[str, Any], point: str, low: str, high: str, digits: int = 3, unit: str = "") -> str:
    """`point[unit] [low, high]` from a results row; "[no CI]" where a bound is missing or infinite."""
    value, lo, hi = (_num(row.get(k), math.nan) for k in (point, low, high))
    bounds = f"[{lo:.{digits}f}, {hi:.{digits}f}]" if math.isfinite(lo) and math.isfinite(hi) else "[no CI]"
    return f"{value:.{digits}f}{unit} {bounds}"


def _check(low: Any, high: Any, **limit: Any) -> str:
    """limit_check with a missing (non-finite, nulled by `clean`) bound read as unbounded."""
    return stats.limit_check(_num(low, float("-inf")), _num(high, float("inf")), **limit)


def _goal(spec: GoalSpec, **values: Any) -> Goal:
    return Goal(id=spec.id, goal=spec.id.split(".")[0], text=spec.text, target=spec.target,
                measured_by=spec.benchmark, **values)


def _not_measured(spec: GoalSpec, why: str) -> Goal:
    """No data in this session: `note` says why, `measured_by` names the benchmark that has it."""
    return _goal(spec, verdict=NOT_MEASURED, note=why)


def _judged(
    spec: GoalSpec, figures: Sequence[_Figure], unit: str, why: str, badness: Callable[[float], float] = float
) -> Goal:
    """The worst figure (by verdict, then by `badness` of its value) stands for the goal; a "measured"
    goal shows its first place. Every place is listed when there are several."""
    if not figures:
        return _not_measured(spec, why)
    worst = min(figures, key=lambda f: (_RANK.get(f.verdict, 0), -badness(f.value)))
    if worst.verdict == MEASURED:
        worst = figures[0]
    details = [{"label": f.label, "value": f.value, "ci_low": f.low, "ci_high": f.high, "verdict": f.verdict,
                "n": f.n, "note": f.note} for f in figures] if len(figures) > 1 else []
    return _goal(spec, verdict=worst.verdict, value=worst.value, ci_low=worst.low, ci_high=worst.high, unit=unit,
                 n=worst.n, where=worst.label, how=worst.how, note=worst.note, details=details)


def _lower_is_worse(value: float) -> float:
    return -value


def _meta(results: Mapping[str, Any]) -> dict[str, Any]:
    meta = results.get("session")
    return meta if isinstance(meta, dict) else {}


def _how(bench: str, results: Mapping[str, Any], what: str) -> str:
    meta = _meta(results)
    isolate = (meta.get("options") or {}).get("isolate", "?")
    argv = [str(a) for a in meta.get("command_line") or []]
    command = f"; command: {shlex.join(argv)}" if argv else ""
    return (f"{what}; bench {bench}: {meta.get('depth', '?')} depth, {meta.get('llm_profile', '?')} profile, "
            f"isolate {isolate}{command}")


def _rows(results: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
    yield from (r for r in results.get(key) or [] if isinstance(r, dict))


def _cell(results: Mapping[str, Any], combo: str, engine: str) -> dict[str, Any]:
    return next((c for c in _rows(results, "cells") if (c.get("combo"), c.get("engine")) == (combo, engine)), {})


def _summary_figure(summary: Any, verdict: str, label: str, how: str, note: str = "") -> _Figure | None:
    if not isinstance(summary, dict) or summary.get("median") is None:
        return None
    return _Figure(float(summary["median"]), summary.get("ci_low"), summary.get("ci_high"), verdict, label,
                   summary.get("n"), how, note)


def g1(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    ratios: list[tuple[str, _Figure]] = []  # (engine, figure)
    bounds: list[tuple[str, _Figure]] = []
    headroom: dict[str, dict[str, Any]] = {}  # bench -> the default engine's all-flags bound / baseline
    for name, r in benches.items():
        if (_meta(r).get("depth"), _meta(r).get("llm_profile")) != ("experimental", "hosted"):
            continue
        for h in _rows(r, "headroom"):
            if (h.get("combo"), h.get("engine")) == ("all", DEFAULT_ENGINE):
                headroom[name] = h
        for c in _rows(r, "comparisons"):
            engine = c.get("engine")
            if engine in AGENTIC_ENGINES and (c.get("metric"), c.get("name")) == ("e2e", "all") and c.get("ratio"):
                what = f"ratio of medians {engine} all / {engine} baseline, n {c.get('n')} vs {c.get('n_baseline')}"
                ratios.append((str(engine), _Figure(
                    c["ratio"], c.get("ratio_ci_low"), c.get("ratio_ci_high"),
                    _check(c.get("ratio_ci_low"), c.get("ratio_ci_high"), at_most=G1_LIMIT),
                    f"{name}: {engine} all / baseline", c.get("n"), _how(name, r, what))))
        for engine in AGENTIC_ENGINES:
            cell = _cell(r, "all", engine)
            summary = cell.get("e2e_per_bound") or {}
            what = f"median over runs of e2e / {cell.get('bound_kind')} critical-path bound, {engine} all"
            found = _summary_figure(summary, _check(summary.get("ci_low"), summary.get("ci_high"),
                                                    at_most=BOUND_LIMIT), f"{name}: {engine} all",
                                    _how(name, r, what), f"bound from the {cell.get('bound_kind')}")
            bounds += [(engine, found)] if found else []
    why = "no bench at experimental depth with the hosted profile measured a CrewAI engine's baseline and all"
    ratio = _judged_on_default(SPEC["G1.1"], ratios, "x", why)
    if bound := headroom.get(ratio.where.split(": ")[0]):
        said = (f"the {bound.get('bound_kind')} bound of all alone is "
                f"{_with_ci(bound, 'ratio', 'ratio_ci_low', 'ratio_ci_high')} x the baseline median "
                f"({DEFAULT_ENGINE}): no schedule of this DAG is faster")
        ratio = dataclasses.replace(ratio, note="; ".join(x for x in (said, ratio.note) if x))
    if ratio.verdict != NOT_MEASURED:
        ratio = dataclasses.replace(ratio, stretch={"target": f"<= {G1_STRETCH}x", "verdict": _check(
            ratio.ci_low, ratio.ci_high, at_most=G1_STRETCH)})
    return [ratio, _judged_on_default(SPEC["G1.2"], bounds, "x", why)]


def _judged_on_default(spec: GoalSpec, figures: Sequence[tuple[str, _Figure]], unit: str, why: str) -> Goal:
    """Judged on the default engine's figures (the engine users get); a session that measured only other
    CrewAI engines is judged on those. Every engine's figure stays listed in `details`, with its verdict."""
    chosen = [f for engine, f in figures if engine == DEFAULT_ENGINE] or [f for _, f in figures]
    goal = _judged(spec, chosen, unit, why)
    others = [f for f in (f for _, f in figures) if f not in chosen]
    if not others:
        return goal
    details = [{"label": f.label, "value": f.value, "ci_low": f.low, "ci_high": f.high, "verdict": f.verdict,
                "n": f.n, "note": f.note} for _, f in figures]
    told = "; ".join(f"{f.label} {f.value:.3f} ({f.verdict})" for f in others)
    note = "; ".join(x for x in (goal.note, f"judged on the default engine ({DEFAULT_ENGINE}); also {told}") if x)
    return dataclasses.replace(goal, details=details, note=note)


def g2(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    ratios: list[tuple[str, _Figure]] = []  # (engine, figure), benches with LLM latency
    instant: list[_Figure] = []  # the same ratio with no LLM latency: shown beside the overhead per task
    overhead: list[_Figure] = []
    for name, r in benches.items():
        profile = _meta(r).get("llm_profile")
        for row in _rows(r, "engines"):
            if row.get("ratio") is None:
                continue
            engine = str(row.get("engine", "crew"))
            what = (f"ratio of medians {engine} / pipeline, {row.get('combo')}, n {row.get('n')} vs "
                    f"{row.get('n_baseline')}, {profile} profile (the pipeline waits the same LLM turns)")
            figure = _Figure(row["ratio"], row.get("ratio_ci_low"), row.get("ratio_ci_high"),
                             _check(row.get("ratio_ci_low"), row.get("ratio_ci_high"), at_most=CREW_LIMIT),
                             f"{name}: {engine} {row.get('combo')} ({profile})", row.get("n"), _how(name, r, what))
            if profile == "instant":
                instant.append(figure)
            else:
                ratios.append((engine, figure))
            if row.get("combo") == "baseline" and profile == "instant" and row.get("per_task_ms") is not None:
                low, high = (row.get("per_task_ci") or [None, None])[:2]
                note = (f"{engine} minus pipeline {row.get('diff_s', 0.0):.3f} s over {row.get('tasks')} tasks, "
                        f"ratio {_with_ci(row, 'ratio', 'ratio_ci_low', 'ratio_ci_high')} (comparison verdict "
                        f"{row.get('verdict')})")
                what = f"(median {engine} - median pipeline) / tasks, sequential baseline, instant profile"
                overhead.append(_Figure(row["per_task_ms"], low, high, MEASURED, f"{name}: {engine} baseline",
                                        row.get("n"), _how(name, r, what), note))
    why = "no bench with an LLM-latency profile measured pipeline and a CrewAI engine on one combination"
    if instant and not ratios:
        why += "; with the instant profile: " + "; ".join(f"{f.label} {f.value:.3f}" for f in instant)
    return [_judged_on_default(SPEC["G2.1"], ratios, "x", why),
            _judged(SPEC["G2.2"], overhead, "ms/task",
                    "no bench measured pipeline and a CrewAI engine's baseline with the instant profile")]


def _streamed(results: Mapping[str, Any], cell: Mapping[str, Any]) -> bool:
    orders = set(cell.get("counted_orders") or [])
    return any(str(st.get("name", "")).startswith("stream") for s in _rows(results, "samples")
               if s.get("order") in orders for st in s.get("steps") or [])


def g3(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    figures: list[_Figure] = []
    for name, r in benches.items():
        for cell in _rows(r, "cells"):
            values = [float(v) for v in cell.get("stream_overlap_s") or []]
            if not values:
                continue
            verdict = PASS if min(values) > 0 else FAIL
            note = f"shortest overlap {min(values):.3f} s over {len(values)} runs"
            if not _streamed(r, cell):
                note += "; no step or span named stream* was recorded"
            what = f"transcribe span covered by stream* spans, {cell.get('combo')} ({cell.get('engine')})"
            found = _summary_figure(cell.get("stream_overlap"), verdict, f"{name}: {cell.get('combo')} "
                                    f"({cell.get('engine')})", _how(name, r, what), note)
            figures += [found] if found else []
    return _judged(SPEC["G3"], figures, "s", "no counted run with streaming_transcription", _lower_is_worse)


G4_CASES = (("G4.1", "all+batched_vector_writes", "e2e"), ("G4.2", "all+batched_vector_writes", "phase:integration"),
            ("G4.3", "all+background_graph_commit", "e2e"),
            ("G4.4", "all+background_graph_commit", "phase:integration"))


def g4(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    out = []
    for goal_id, combo, metric in G4_CASES:
        figures = []
        for name, r in benches.items():
            for row in _rows(r, "optimisations"):
                if (row.get("name"), row.get("reference"), row.get("metric")) != (combo, "all", metric):
                    continue
                if row.get("ratio") is None:
                    continue
                what = (f"ratio of medians {combo} / all, {metric}, {row.get('engine')}, n {row.get('n')} vs "
                        f"{row.get('n_baseline')}")
                note = f"comparison verdict {row.get('verdict')} (Holm-adjusted p {_num(row.get('p_adjusted'), 1):.3g})"
                figures.append(_Figure(row["ratio"], row.get("ratio_ci_low"), row.get("ratio_ci_high"), MEASURED,
                                       f"{name}: {row.get('engine')}", row.get("n"), _how(name, r, what), note))
        out.append(_judged(SPEC[goal_id], figures, "x", f"no bench ran both {combo} and all with >= 2 counted runs"))
    return out


def g5(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    figures: list[_Figure] = []
    in_process = False
    for name, r in benches.items():
        for m in _rows(r, "memory"):
            if m.get("ratio") is None:
                continue
            if not m.get("comparable"):
                in_process = True
                continue
            what = f"ratio of median peak RSS {m.get('combo')} / baseline ({m.get('engine')}), isolated runs"
            figures.append(_Figure(m["ratio"], m.get("ci_low"), m.get("ci_high"),
                                   _check(m.get("ci_low"), m.get("ci_high"), at_most=MEMORY_LIMIT),
                                   f"{name}: {m.get('combo')} ({m.get('engine')})", None, _how(name, r, what)))
    why = ("peak RSS was measured in-process only, which is not comparable between runs (use "
           "--autointel-isolate process)" if in_process else "no combination was compared with the baseline")
    return _judged(SPEC["G5"], figures, "x", why)


def _first(benches: Mapping[str, Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    return next((list(_rows(r, key)) for r in benches.values() if r.get(key)), [])


def g6(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for row in _first(benches, "cost_vs_length"):
        key = (str(row.get("engine")), str(row.get("combo")), str(row.get("depth")), str(row.get("llm_profile")))
        groups.setdefault(key, []).append(row)
    models = {(str(m.get("engine")), str(m.get("combo")), str(m.get("depth")), str(m.get("llm_profile"))): m
              for m in _first(benches, "cost_model")}
    times: list[_Figure] = []
    for (engine, combo, depth, profile), rows in groups.items():
        rows = sorted(rows, key=lambda x: float(x["media_duration_s"]))
        minutes = [float(x["media_duration_s"]) / 60.0 for x in rows]
        if len(set(minutes)) < 2:
            continue
        spread = stats.spread_check([x["per_minute_s"] for x in rows], [x["per_minute_ci"][0] for x in rows],
                                    [x["per_minute_ci"][1] for x in rows], LENGTH_TOLERANCE)
        spans = minutes[0] <= LENGTH_SPAN_MIN[0] * 1.05 and minutes[-1] >= LENGTH_SPAN_MIN[1] * 0.95
        verdict = INCONCLUSIVE if spread.verdict == PASS and not spans else spread.verdict
        per_minute = ", ".join(f"{x['per_minute_s']:.2f} s at {m:.1f} min" for x, m in zip(rows, minutes, strict=True))
        note = f"per-minute medians {per_minute}; reference {spread.reference:.2f} s/min"
        if model := models.get((engine, combo, depth, profile)):
            note += f"; {_cost_model_text(model)}"
        if not spans:
            note += f"; lengths {minutes[0]:.1f}-{minutes[-1]:.1f} min do not span the goal's 1-20 min"
        names = list(dict.fromkeys(str(x["bench"]) for x in rows))
        what = (f"worst length's e2e median per minute of media / median over lengths, {combo} ({engine}), "
                f"benches {', '.join(names)}")
        how = _how(names[0], benches.get(names[0], {}), what)
        times.append(_Figure(spread.ratio, spread.ratio_ci_low, spread.ratio_ci_high, verdict,
                             f"{combo} ({engine}, {depth}, {profile})", len(rows), how, note))
    memory: list[_Figure] = []
    for row in _first(benches, "memory_vs_length"):
        what = (f"log-log slope of {row.get('metric')} vs minutes {row.get('minutes')}, {row.get('combo')} "
                f"({row.get('engine')}), runs per length {row.get('n')}, {row.get('depth')} depth")
        memory.append(_Figure(row["slope"], row.get("ci_low"), row.get("ci_high"),
                              _check(row.get("ci_low"), row.get("ci_high"), at_most=SLOPE_LIMIT, strict=True),
                              f"{row.get('combo')} ({row.get('engine')}, {row.get('metric')})", None, what))
    return [_judged(SPEC["G6.1"], times, "x of median", "no benches on two or more media lengths",
                    lambda v: abs(v - 1.0)),
            _judged(SPEC["G6.2"], memory, "slope", "no comparable peaks (isolated RSS or tracemalloc) on two or "
                    "more media lengths")]


def _cost_model_text(model: Mapping[str, Any]) -> str:
    """The fit behind the per-minute spread: what a run pays once, and what each minute of media adds."""
    fixed = _with_ci(model, "fixed_s", "fixed_ci_low", "fixed_ci_high", 2, " s")
    per_minute = _with_ci(model, "per_minute_s", "per_minute_ci_low", "per_minute_ci_high", 2, " s")
    return f"fitted e2e = {fixed} per run + {per_minute} per minute of media"


def g7(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    by_depth: dict[str, list[_Figure]] = {}
    for name, r in benches.items():
        depth = str(_meta(r).get("depth"))
        if depth == "experimental":  # beam 5: not the transcription the goal speaks about
            continue
        for cell in _rows(r, "cells"):
            summary = cell.get("transcription_speed")
            if cell.get("combo") != "baseline" or not summary:
                continue
            what = f"media duration / transcribe step wall time, baseline ({cell.get('engine')})"
            found = _summary_figure(summary, _check(summary.get("ci_low"), summary.get("ci_high"), at_least=SPEED_MIN),
                                    f"{name}: {cell.get('engine')} ({depth})", _how(name, r, what))
            by_depth.setdefault(depth, []).extend([found] if found else [])
    figures = by_depth.get("standard") or [f for fs in by_depth.values() for f in fs]
    if figures and "standard" not in by_depth:
        figures = [dataclasses.replace(f, note="no standard-depth bench; same transcription settings (beam 1) at "
                                       "this depth") for f in figures]
    return _judged(SPEC["G7"], figures, "x real time", "no baseline run recorded a transcribe step with the media "
                   "duration", _lower_is_worse)


def g8(measurements: Mapping[str, Mapping[str, Any]], seed: int) -> list[Goal]:
    def values(name: str) -> list[float]:
        return [float(v) for v in (measurements.get(name) or {}).get("values") or []]

    out = []
    base = values(UNRECORDED)
    for i, (goal_id, mode) in enumerate((("G8.1", "default"), ("G8.2", "tracemalloc"), ("G8.3", "memray"))):
        cand = values(RECORDED[mode])
        figures = []
        if base and cand:
            comp = stats.compare(mode, base, cand, seed=seed + i)
            verdict = (_check(comp.ratio_ci_low, comp.ratio_ci_high, at_most=OVERHEAD_LIMIT) if mode == "default"
                       else MEASURED)
            what = (f"ratio of medians, {mode} recording / unrecorded run, interleaved, n {comp.n} vs "
                    f"{comp.n_baseline}; measurements {RECORDED[mode]}, {UNRECORDED}")
            figures.append(_Figure(comp.ratio, comp.ratio_ci_low, comp.ratio_ci_high, verdict,
                                   f"{mode} mode / unrecorded", comp.n, what,
                                   f"median {comp.median:.3f} s vs {comp.baseline_median:.3f} s"))
        out.append(_judged(SPEC[goal_id], figures, "x", f"no {RECORDED[mode]} and {UNRECORDED} measurements"))
    helps = values(CLI_HELP)
    figures = []
    if helps:
        summary = dataclasses.asdict(stats.summarize(helps, seed=seed))
        figures = [_Figure(summary["median"], summary["ci_low"], summary["ci_high"],
                           _check(summary["ci_low"], summary["ci_high"], at_most=HELP_LIMIT_S, strict=True),
                           "autointel --help", summary["n"], f"wall time of a fresh `autointel --help`, measurement "
                           f"{CLI_HELP}", f"slowest {max(helps):.3f} s")]
    out.append(_judged(SPEC["G8.4"], figures, "s", f"no {CLI_HELP} measurement"))
    return out


def evaluate_goals(
    benches: Mapping[str, Mapping[str, Any]], measurements: Mapping[str, Mapping[str, Any]] | None = None,
    *, seed: int = 0,
) -> list[dict[str, Any]]:
    """Every goal of SPECS, in order, as plain dicts (the shape results.json and index.json carry)."""
    goals = [*g1(benches), *g2(benches), g3(benches), *g4(benches), g5(benches), *g6(benches), g7(benches),
             *g8(measurements or {}, seed)]
    assert [g.id for g in goals] == [s.id for s in SPECS]
    return [dataclasses.asdict(g) for g in goals]


def merge_goals(lists: Sequence[Sequence[Mapping[str, Any]]], origins: Sequence[str]) -> list[dict[str, Any]]:
    """One entry per goal id across sessions: the measured entries' worst verdict wins (fail before
    inconclusive before pass before measured); a goal no session measured stays not_measured."""
    order: list[str] = []
    best: dict[str, dict[str, Any]] = {}
    for goals, origin in zip(lists, origins, strict=True):
        for goal in goals:
            gid = str(goal.get("id"))
            if gid not in best:
                order.append(gid)
            entry = {**goal, "session": origin}
            current = best.get(gid)
            if current is None or _replaces(entry, current):
                best[gid] = entry
    return [best[g] for g in order]


def _replaces(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    if new.get("verdict") == NOT_MEASURED:
        return False
    if old.get("verdict") == NOT_MEASURED:
        return True
    return _RANK.get(str(new.get("verdict")), 9) < _RANK.get(str(old.get("verdict")), 9)
