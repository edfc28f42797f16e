"""Goals G1-G4: how much the parallel flags save against the DAG's bound, what the CrewAI engine costs over
the pipeline, whether streaming overlaps transcription, and what the memory optimisations change."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from autointel.bench.analysis.goal_merge import FAIL, MEASURED, NOT_MEASURED, PASS
from autointel.model.bench_results import Stretch
from autointel.settings import AGENTIC_ENGINES, DEFAULT_ENGINE
from benchmarks.goals.goal_specs import (
    BOUND_LIMIT,
    CREW_LIMIT,
    G1_LIMIT,
    G1_STRETCH,
    SPEC,
    Figure,
    Goal,
    cell_of,
    check,
    describe,
    judged,
    judged_on_default,
    num,
    pairing,
    rows_of,
    session_meta,
    summary_figure,
    with_ci,
)


def g1(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    ratios: list[tuple[str, Figure]] = []  # (engine, figure)
    bounds: list[tuple[str, Figure]] = []
    headroom: dict[str, dict[str, Any]] = {}  # bench -> the default engine's all-flags bound / baseline
    for name, r in benches.items():
        if (session_meta(r).get("depth"), session_meta(r).get("llm_profile")) != ("experimental", "hosted"):
            continue
        for h in rows_of(r, "headroom"):
            if (h.get("combo"), h.get("engine")) == ("all", DEFAULT_ENGINE):
                headroom[name] = h
        for c in rows_of(r, "comparisons"):
            engine = c.get("engine")
            if engine in AGENTIC_ENGINES and (c.get("metric"), c.get("name")) == ("e2e", "all") and c.get("ratio"):
                what = (f"ratio of medians {engine} all / {engine} baseline, n {c.get('n')} vs {c.get('n_baseline')}"
                        f"{pairing(c)}")
                ratios.append((str(engine), Figure(
                    c["ratio"], c.get("ratio_ci_low"), c.get("ratio_ci_high"),
                    check(c.get("ratio_ci_low"), c.get("ratio_ci_high"), at_most=G1_LIMIT),
                    f"{name}: {engine} all / baseline", c.get("n"), describe(name, r, what))))
        for engine in AGENTIC_ENGINES:
            cell = cell_of(r, "all", engine)
            summary = cell.get("e2e_per_bound") or {}
            what = f"median over runs of e2e / {cell.get('bound_kind')} critical-path bound, {engine} all"
            found = summary_figure(summary, check(summary.get("ci_low"), summary.get("ci_high"),
                                                    at_most=BOUND_LIMIT), f"{name}: {engine} all",
                                    describe(name, r, what), f"bound from the {cell.get('bound_kind')}")
            bounds += [(engine, found)] if found else []
    why = "no bench at experimental depth with the hosted profile measured a CrewAI engine's baseline and all"
    ratio = judged_on_default(SPEC["G1.1"], ratios, "x", why)
    if bound := headroom.get(ratio.where.split(": ")[0]):
        said = (f"the {bound.get('bound_kind')} bound of all alone is "
                f"{with_ci(bound, 'ratio', 'ratio_ci_low', 'ratio_ci_high')} x the baseline median "
                f"({DEFAULT_ENGINE}): no schedule of this DAG is faster")
        ratio = dataclasses.replace(ratio, note="; ".join(x for x in (said, ratio.note) if x))
    if ratio.verdict != NOT_MEASURED:
        ratio = dataclasses.replace(ratio, stretch=Stretch(target=f"<= {G1_STRETCH}x", verdict=check(
            ratio.ci_low, ratio.ci_high, at_most=G1_STRETCH)))
    return [ratio, judged_on_default(SPEC["G1.2"], bounds, "x", why)]


def g2(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    ratios: list[tuple[str, Figure]] = []  # (engine, figure), benches with LLM latency
    instant: list[Figure] = []  # the same ratio with no LLM latency: shown beside the overhead per task
    overhead: list[Figure] = []
    for name, r in benches.items():
        profile = session_meta(r).get("llm_profile")
        for row in rows_of(r, "engines"):
            if row.get("ratio") is None:
                continue
            engine = str(row.get("engine", "crew"))
            what = (f"ratio of medians {engine} / pipeline, {row.get('combo')}, n {row.get('n')} vs "
                    f"{row.get('n_baseline')}{pairing(row)}, {profile} profile (the pipeline waits the same LLM "
                    "turns)")
            figure = Figure(row["ratio"], row.get("ratio_ci_low"), row.get("ratio_ci_high"),
                             check(row.get("ratio_ci_low"), row.get("ratio_ci_high"), at_most=CREW_LIMIT),
                             f"{name}: {engine} {row.get('combo')} ({profile})", row.get("n"), describe(name, r, what))
            if profile == "instant":
                instant.append(figure)
            else:
                ratios.append((engine, figure))
            if row.get("combo") == "baseline" and profile == "instant" and row.get("per_task_ms") is not None:
                low, high = (row.get("per_task_ci") or [None, None])[:2]
                note = (f"{engine} minus pipeline {row.get('diff_s', 0.0):.3f} s over {row.get('tasks')} tasks, "
                        f"ratio {with_ci(row, 'ratio', 'ratio_ci_low', 'ratio_ci_high')} (comparison verdict "
                        f"{row.get('verdict')})")
                what = f"(median {engine} - median pipeline) / tasks, sequential baseline, instant profile"
                overhead.append(Figure(row["per_task_ms"], low, high, MEASURED, f"{name}: {engine} baseline",
                                        row.get("n"), describe(name, r, what), note))
    why = "no bench with an LLM-latency profile measured pipeline and a CrewAI engine on one combination"
    if instant and not ratios:
        why += "; with the instant profile: " + "; ".join(f"{f.label} {f.value:.3f}" for f in instant)
    return [judged_on_default(SPEC["G2.1"], ratios, "x", why),
            judged(SPEC["G2.2"], overhead, "ms/task",
                    "no bench measured pipeline and a CrewAI engine's baseline with the instant profile")]


def _streamed(results: Mapping[str, Any], cell: Mapping[str, Any]) -> bool:
    orders = set(cell.get("counted_orders") or [])
    return any(str(st.get("name", "")).startswith("stream") for s in rows_of(results, "samples")
               if s.get("order") in orders for st in s.get("steps") or [])


def g3(benches: Mapping[str, Mapping[str, Any]]) -> Goal:
    figures: list[Figure] = []
    for name, r in benches.items():
        for cell in rows_of(r, "cells"):
            values = [float(v) for v in cell.get("stream_overlap_s") or []]
            if not values:
                continue
            verdict = PASS if min(values) > 0 else FAIL
            note = f"shortest overlap {min(values):.3f} s over {len(values)} runs"
            if not _streamed(r, cell):
                note += "; no step or span named stream* was recorded"
            what = f"transcribe span covered by stream* spans, {cell.get('combo')} ({cell.get('engine')})"
            found = summary_figure(cell.get("stream_overlap"), verdict, f"{name}: {cell.get('combo')} "
                                    f"({cell.get('engine')})", describe(name, r, what), note)
            figures += [found] if found else []
    return judged(SPEC["G3"], figures, "s", "no counted run with streaming_transcription")


G4_CASES = (("G4.1", "all+batched_vector_writes", "e2e"), ("G4.2", "all+batched_vector_writes", "phase:integration"),
            ("G4.3", "all+background_graph_commit", "e2e"),
            ("G4.4", "all+background_graph_commit", "phase:integration"))


def g4(benches: Mapping[str, Mapping[str, Any]]) -> list[Goal]:
    out = []
    for goal_id, combo, metric in G4_CASES:
        figures = []
        for name, r in benches.items():
            for row in rows_of(r, "optimisations"):
                if (row.get("name"), row.get("reference"), row.get("metric")) != (combo, "all", metric):
                    continue
                if row.get("ratio") is None:
                    continue
                what = (f"ratio of medians {combo} / all, {metric}, {row.get('engine')}, n {row.get('n')} vs "
                        f"{row.get('n_baseline')}{pairing(row)}")
                note = f"comparison verdict {row.get('verdict')} (Holm-adjusted p {num(row.get('p_adjusted'), 1):.3g})"
                figures.append(Figure(row["ratio"], row.get("ratio_ci_low"), row.get("ratio_ci_high"), MEASURED,
                                       f"{name}: {row.get('engine')}", row.get("n"), describe(name, r, what), note))
        out.append(judged(SPEC[goal_id], figures, "x", f"no bench ran both {combo} and all with >= 2 counted runs"))
    return out
