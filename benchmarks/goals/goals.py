"""This project's performance goals (the "Performance" issue, G1-G8), judged from one pytest session.

The harness itself has no goals: `benchmarks/conftest.py` hands these to it through the plugin's
`pytest_autointel_goals` hook (`goal_rows_of`). Every goal is read off what the session already holds:
analyze's cells, comparisons, memory, engines, optimisations and the cross-bench cost/memory-vs-length rows,
plus the extra measurements benchmarks send through `autointel_bench.add_measurement` (harness overhead, CLI
latency). Nothing is re-measured here and every statistic comes from `autointel.stats`. G1-G4 are judged in
`goals_speed`, G5-G8 here; `goal_specs` holds their wording, limits and the judging helpers. Verdicts (the
harness's vocabulary, `autointel.bench.analysis.goal_merge`):

* "pass" / "fail": the 95% CI lies wholly on the good / bad side of the limit (`stats.limit_check`);
  otherwise "inconclusive". A goal measured in several places takes its worst place (never the best).
* "measured": a figure the issue asks to show, not to bound (G2.2, G4, G8.2, G8.3).
* "not_measured": the session has no data for it; the note says why and which benchmark measures it.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from autointel import stats
from autointel.bench.analysis.goal_merge import INCONCLUSIVE, MEASURED, NOT_MEASURED, PASS, VERDICTS
from autointel.model.bench_results import GoalRow, goal_rows
from benchmarks.goals.goal_specs import (
    ACCOUNTED,
    CLI_HELP,
    HELP_LIMIT_S,
    LENGTH_SPAN_MIN,
    LENGTH_TOLERANCE,
    MEMORY_LIMIT,
    OVERHEAD_LIMIT,
    RECORDED,
    SLOPE_LIMIT,
    SPEC,
    SPECS,
    SPEED_MIN,
    UNRECORDED,
    Figure,
    Goal,
    check,
    describe,
    first_rows,
    judged,
    pairing,
    rows_of,
    session_meta,
    summary_figure,
    with_ci,
)
from benchmarks.goals.goals_speed import g1, g2, g3, g4

if TYPE_CHECKING:
    from autointel.model.bench_results import SessionResults

__all__ = ["ACCOUNTED", "CLI_HELP", "NOT_MEASURED", "RECORDED", "SPECS", "UNRECORDED", "VERDICTS", "Goal",
           "evaluate_goals", "goal_rows_of"]


def g5(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    figures: list[Figure] = []
    in_process = False
    for name, r in benches.items():
        for m in rows_of(r, "memory"):
            if m.get("ratio") is None:
                continue
            if not m.get("comparable"):
                in_process = True
                continue
            what = (f"ratio of median peak RSS {m.get('combo')} / baseline ({m.get('engine')}), isolated runs"
                    f"{pairing(m)}")
            figures.append(Figure(m["ratio"], m.get("ci_low"), m.get("ci_high"),
                                   check(m.get("ci_low"), m.get("ci_high"), at_most=MEMORY_LIMIT),
                                   f"{name}: {m.get('combo')} ({m.get('engine')})", None, describe(name, r, what)))
    why = ("peak RSS was measured in-process only, which is not comparable between runs (use "
           "--autointel-isolate process)" if in_process else "no combination was compared with the baseline")
    return judged(SPEC["G5"], figures, "x", why)


def g6(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for row in first_rows(benches, "cost_vs_length"):
        key = (str(row.get("engine")), str(row.get("combo")), str(row.get("depth")), str(row.get("llm_profile")))
        groups.setdefault(key, []).append(row)
    models = {(str(m.get("engine")), str(m.get("combo")), str(m.get("depth")), str(m.get("llm_profile"))): m
              for m in first_rows(benches, "cost_model")}
    times: list[Figure] = []
    for (engine, combo, depth, profile), rows in groups.items():
        rows = sorted(rows, key=lambda x: float(x["media_duration_s"]))
        minutes = [float(x["media_duration_s"]) / 60.0 for x in rows]
        if len(set(minutes)) < 2:
            continue
        if any(bound is None for x in rows for bound in x["per_minute_ci"]):
            reference = statistics.median(x["per_minute_s"] for x in rows)
            worst = max((x["per_minute_s"] / reference for x in rows), key=lambda r: abs(r - 1.0))
            times.append(Figure(worst, None, None, INCONCLUSIVE, f"{combo} ({engine}, {depth}, {profile})",
                                len(rows), "per-minute cost by media length",
                                "a length has too few runs for a CI (6 are needed)"))
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
        how = describe(names[0], benches.get(names[0], {}), what)
        times.append(Figure(spread.ratio, spread.ratio_ci_low, spread.ratio_ci_high, verdict,
                             f"{combo} ({engine}, {depth}, {profile})", len(rows), how, note))
    memory: list[Figure] = []
    for row in first_rows(benches, "memory_vs_length"):
        what = (f"log-log slope of {row.get('metric')} vs minutes {row.get('minutes')}, {row.get('combo')} "
                f"({row.get('engine')}), runs per length {row.get('n')}, {row.get('depth')} depth")
        memory.append(Figure(row["slope"], row.get("ci_low"), row.get("ci_high"),
                              check(row.get("ci_low"), row.get("ci_high"), at_most=SLOPE_LIMIT, strict=True),
                              f"{row.get('combo')} ({row.get('engine')}, {row.get('metric')})", None, what))
    return [judged(SPEC["G6.1"], times, "x of median", "no benches on two or more media lengths"),
            judged(SPEC["G6.2"], memory, "slope", "no comparable peaks (isolated RSS or tracemalloc) on two or "
                    "more media lengths")]


def _cost_model_text(model: Mapping[str, Any]) -> str:
    """The fit behind the per-minute spread: what a run pays once, and what each minute of media adds."""
    fixed = with_ci(model, "fixed_s", "fixed_ci_low", "fixed_ci_high", 2, " s")
    per_minute = with_ci(model, "per_minute_s", "per_minute_ci_low", "per_minute_ci_high", 2, " s")
    return f"fitted e2e = {fixed} per run + {per_minute} per minute of media"


def g7(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    by_depth: dict[str, list[Figure]] = {}
    for name, r in benches.items():
        depth = str(session_meta(r).get("depth"))
        if depth == "experimental":  # beam 5: not the transcription the goal speaks about
            continue
        for cell in rows_of(r, "cells"):
            summary = cell.get("transcription_speed")
            if cell.get("combo") != "baseline" or not summary:
                continue
            what = f"media duration / transcribe step wall time, baseline ({cell.get('engine')})"
            found = summary_figure(summary, check(summary.get("ci_low"), summary.get("ci_high"), at_least=SPEED_MIN),
                                    f"{name}: {cell.get('engine')} ({depth})", describe(name, r, what))
            by_depth.setdefault(depth, []).extend([found] if found else [])
    figures = by_depth.get("standard") or [f for fs in by_depth.values() for f in fs]
    if figures and "standard" not in by_depth:
        figures = [dataclasses.replace(f, note="no standard-depth bench; same transcription settings (beam 1) at "
                                       "this depth") for f in figures]
    return judged(SPEC["G7"], figures, "x real time", "no baseline run recorded a transcribe step with the media "
                   "duration")


def g8(measurements: Mapping[str, Mapping[str, Any]], seed: int) -> list[Goal]:
    def values(name: str) -> list[float]:
        return [float(v) for v in (measurements.get(name) or {}).get("values") or []]

    def by_round(*names: str) -> bool:
        """values[i] of every name came from round i (the bench says so, and nothing else appended)."""
        entries = [measurements.get(name) or {} for name in names]
        return (all((e.get("info") or {}).get("blocks") == "round" for e in entries)
                and len({len(e.get("values") or []) for e in entries}) == 1
                and len({tuple(e.get("tests") or []) for e in entries}) == 1)

    out = []
    base = values(UNRECORDED)
    for goal_id, mode in (("G8.1", "default"), ("G8.2", "tracemalloc"), ("G8.3", "memray")):
        cand = values(RECORDED[mode])
        figures = []
        if base and cand:
            paired = by_round(UNRECORDED, RECORDED[mode])
            comp = stats.compare(mode, base, cand, seed=stats.derive_seed(seed, goal_id), paired=paired)
            verdict = (check(comp.ratio_ci_low, comp.ratio_ci_high, at_most=OVERHEAD_LIMIT) if mode == "default"
                       else MEASURED)
            what = (f"ratio of medians, {mode} recording / unrecorded run, interleaved, n {comp.n} vs "
                    f"{comp.n_baseline}, {'paired by round' if paired else 'unpaired'}; measurements "
                    f"{RECORDED[mode]}, {UNRECORDED}")
            figures.append(Figure(comp.ratio, comp.ratio_ci_low, comp.ratio_ci_high, verdict,
                                   f"{mode} mode / unrecorded", comp.n, what,
                                   f"median {comp.median:.3f} s vs {comp.baseline_median:.3f} s"))
        out.append(judged(SPEC[goal_id], figures, "x", f"no {RECORDED[mode]} and {UNRECORDED} measurements"))
    helps = values(CLI_HELP)
    figures = []
    if helps:
        summary = dataclasses.asdict(stats.summarize(helps, seed=seed))
        figures = [Figure(summary["median"], summary["ci_low"], summary["ci_high"],
                           check(summary["ci_low"], summary["ci_high"], at_most=HELP_LIMIT_S, strict=True),
                           "autointel --help", summary["n"], f"wall time of a fresh `autointel --help`, measurement "
                           f"{CLI_HELP}", f"slowest {max(helps):.3f} s")]
    out.append(judged(SPEC["G8.4"], figures, "s", f"no {CLI_HELP} measurement"))
    out.append(_accounted(values(ACCOUNTED), base, by_round(UNRECORDED, ACCOUNTED), seed))
    return out


def _accounted(own: list[float], base: list[float], paired: bool, seed: int) -> Goal:
    """G8.5: the harness's own work as a share of a run. Each round's share divides by that round's unrecorded
    run, so it needs the rounds paired; the target's run-to-run noise (G8.1's problem) mostly cancels."""
    figures = []
    if own and base and paired:
        shares = [1.0 + o / b for o, b in zip(own, base, strict=True)]
        summary = stats.summarize(shares, seed=seed)
        figures = [Figure(summary.median, summary.ci_low, summary.ci_high,
                          check(summary.ci_low, summary.ci_high, at_most=OVERHEAD_LIMIT), "default mode, accounted",
                          summary.n, f"per round 1 + {ACCOUNTED} / {UNRECORDED}, paired by round, n {summary.n}",
                          f"own time per run median {statistics.median(own) * 1e3:.1f} ms, largest "
                          f"{max(own) * 1e3:.1f} ms; an upper estimate of the wall cost: the sampler's CPU "
                          f"counts as if it all delayed the target")]
    why = (f"no {ACCOUNTED} measurement" if not own else
           f"{ACCOUNTED} and {UNRECORDED} are not paired by round")
    return judged(SPEC["G8.5"], figures, "x", why)


def evaluate_goals(
    benches: Mapping[str, Mapping[str, Any]], measurements: Mapping[str, Mapping[str, Any]] | None = None,
    *, seed: int = 0,
) -> list[dict[str, Any]]:
    """Every goal of SPECS, in order, as plain dicts (the shape results.json and index.json carry)."""
    goals = [*g1(benches), *g2(benches), g3(benches), *g4(benches), g5(benches), *g6(benches), g7(benches),
             *g8(measurements or {}, seed)]
    assert [g.id for g in goals] == [s.id for s in SPECS]
    return [dataclasses.asdict(g) for g in goals]


def goal_rows_of(
    benches: Mapping[str, SessionResults], measurements: Mapping[str, Mapping[str, Any]], seed: int
) -> tuple[GoalRow, ...]:
    """What `pytest_autointel_goals` returns: every goal, judged over the session's benches (read as their
    results.json documents, the shape the goals were written against) and measurements."""
    return goal_rows(evaluate_goals({n: r.to_dict() for n, r in benches.items()}, measurements, seed=seed))
