"""results.json through the typed model: version 1 documents read unchanged, version 2 round-trips exactly,
anything else is refused with the field that is wrong, and the file is strict JSON (null, never NaN)."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from typing import Any

import pytest

from autointel.bench.analysis.results import build_results
from autointel.bench.options import BenchOptions, parse_combos
from autointel.model.bench_results import (
    SCHEMA_VERSION,
    CellDelta,
    CostModel,
    GoalRow,
    HistoryCheck,
    LengthCost,
    Measurement,
    MemoryScaling,
    OtherSession,
    ResultsFormatError,
    SessionComparison,
    SessionInfo,
    SessionResults,
    Stretch,
)
from autointel.model.statistics import Summary
from tests.bench import builders

SUMMARY: dict[str, Any] = {"n": 3, "median": 1.5, "mean": 1.52, "p95": 1.7, "stdev": 0.1, "cv": 0.066,
                           "ci_low": None, "ci_high": None}  # three runs cannot bound a median: null, not NaN
SAMPLE: dict[str, Any] = {
    "run_id": "r1", "combo": "baseline", "engine": "pipeline", "iteration": 0, "warmup": False, "order": 0,
    "flags_requested": {"parallel_analysis": False}, "flags_reported": {"parallel_analysis": False},
    "fingerprint_expected": "abc", "fingerprint_actual": "abc", "valid": True, "invalid_reason": None,
    "status": "ok", "error": None, "digest": {"transcript_sha256": "d1"}, "e2e_s": 1.5, "cpu_process_s": 0.7,
    "peak_rss_bytes": 2048, "rss_before_bytes": 1024, "phases": {"analysis": {"wall_s": 0.5}},
    "steps": [{"name": "transcribe", "start_s": 0.0, "end_s": 1.0}], "llm_calls": [], "heap_peaks": None,
    "purpose": "measure", "depth": "standard", "isolated": False, "critical_path": None, "artifacts": {},
    "sampler_cpu_s": None, "rss_method": "kernel_hwm",
}
CELL: dict[str, Any] = {
    "combo": "baseline", "engine": "pipeline", "flags": {"parallel_analysis": False},
    "counts": {"runs": 3, "measured": 3, "ok": 3, "failed": 0, "invalid": 0, "warmup": 0, "diagnostic": 0},
    "errors": [], "invalid_reasons": [], "e2e": SUMMARY, "p95_ci": [1.6, None], "target_median": "pass",
    "target_p95": "inconclusive", "cpu": None, "peak_rss": None, "phases": {"analysis": SUMMARY, "briefing": None},
    "critical_path_bound": None, "efficiency": None, "layout_bound": None, "e2e_per_bound": None, "bound_kind": None,
    "transcription_speed": None, "stream_overlap_s": [], "stream_overlap": None, "heap_peaks": [], "artifacts": [],
    "cpu_per_wall": None, "counted_orders": [0, 1, 2], "representative": {"order": 1, "e2e_s": 1.5, "max_parallel": 1},
}
E2E: dict[str, Any] = {
    "engine": "pipeline", "metric": "e2e", "name": "analysis", "baseline_median": 1.5, "median": 1.2, "ratio": 0.8,
    "ratio_ci_low": None, "ratio_ci_high": None, "p_value": 0.1, "p_adjusted": 0.2, "verdict": "inconclusive",
    "unstable": False, "cv": 0.05, "runs_needed": 12, "n": 3, "n_baseline": 3, "paired": True,
}
INSUFFICIENT: dict[str, Any] = {"engine": "pipeline", "metric": "phase:analysis", "name": "analysis",
                                "verdict": "insufficient", "n": 1, "n_baseline": 3}
BANNER: dict[str, Any] = {
    "verdict": "pass", "triggered": [], "fail_on": ["failed", "invalid"],
    "conditions": {"failed": False, "invalid": False}, "reasons": [], "headline": "fastest: analysis", "failed_runs": 0,
    "invalid_runs": 0,
}
SESSION: dict[str, Any] = {
    "run_id": "r1", "name": "matrix", "command_line": ["pytest", "benchmarks"], "seed": 3,
    "started_at": "2024-05-01T10:00:00+00:00", "finished_at": "2024-05-01T10:05:00+00:00", "source": "talk.wav",
    "depth": "standard", "llm_profile": "instant", "settings": {"engine": "pipeline"},
    "options": {"threshold": 0.05, "combos": ["baseline", "analysis"]}, "machine": {"python": "3.11.7"},
    "report_dir": "/tmp/report/matrix", "recovered": None,
}
V1: dict[str, Any] = {
    "schema": 1, "session": SESSION, "cells": [CELL], "comparisons": [E2E, INSUFFICIENT], "optimisations": [],
    "engines": [], "headroom": [], "effects": [], "memory": [], "equivalence": [], "history": [],
    "notes": ["a note"], "banner": BANNER, "samples": [SAMPLE],
}


def strict_loads(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in results.json")

    return json.loads(text, parse_constant=refuse)


def test_a_version_1_document_reads_and_gives_its_values_back() -> None:
    results = SessionResults.from_dict(copy.deepcopy(V1))
    cell = results.cells[0]
    assert cell.counts.ok == 3 and cell.e2e is not None and cell.e2e.median == 1.5
    assert math.isnan(cell.e2e.ci_low) and math.isnan(cell.e2e.ci_high)  # null reads as NaN
    assert cell.p95_ci is not None and cell.p95_ci[0] == 1.6 and math.isnan(cell.p95_ci[1])
    assert cell.phases["briefing"] is None and cell.representative is not None and cell.representative.order == 1
    e2e, insufficient = results.comparisons
    assert e2e.ratio == 0.8 and e2e.paired and e2e.reference is None
    assert insufficient.verdict == "insufficient" and insufficient.n == 1
    assert all(math.isnan(getattr(insufficient, f)) for f in ("ratio", "ratio_ci_low", "ratio_ci_high", "median",
                                                                "baseline_median", "p_value", "p_adjusted", "cv"))
    assert results.banner.fail_on == ("failed", "invalid") and results.session.command_line == ("pytest", "benchmarks")
    assert results.samples[0].counts and results.samples[0].phases == {"analysis": {"wall_s": 0.5}}
    assert results.goals == () and results.compare is None and results.schema == SCHEMA_VERSION

    back = results.to_dict()
    assert back["schema"] == SCHEMA_VERSION == 6
    for key in V1.keys() - {"schema", "comparisons", "banner", "cells"}:
        assert back[key] == V1[key], key  # null stays null, lists stay lists
    assert back["banner"] == {**V1["banner"], "checks": []}  # v1 recorded no checks
    assert back["cells"] == [{**cell, "phase_cpu": {}, "llm": None} for cell in V1["cells"]]  # nor own work, LLM load
    assert back["comparisons"][0] == {**E2E, "reference": None}  # v1 comparisons had no reference key
    missing = back["comparisons"][1].keys() - INSUFFICIENT.keys()
    assert {k: back["comparisons"][1][k] for k in INSUFFICIENT} == INSUFFICIENT
    assert {k for k in missing if back["comparisons"][1][k] is None} == {
        "reference", "baseline_median", "median", "ratio", "ratio_ci_low", "ratio_ci_high", "p_value", "p_adjusted",
        "cv", "runs_needed"}
    assert {k: back["comparisons"][1][k] for k in ("unstable", "paired")} == {"unstable": False, "paired": False}
    assert back["goals"] == back["measurements"] == back["cost_model"] == [] and back["compare"] is None
    assert SessionResults.from_dict(back).to_dict() == back  # and the v2 document reads as itself


def rich() -> SessionResults:
    """A session with every kind of row, some of them holding numbers JSON cannot (NaN, infinities)."""
    samples = [builders.sample(i, combo, e2e_s=e2e, phases={"analysis": {"wall_s": e2e / 3}},
                               digest={"transcript_sha256": "d1"}, iteration=i // 2)
               for i, (combo, e2e) in enumerate([("baseline", 1.5), ("analysis", 1.2), ("baseline", 1.6),
                                                 ("analysis", 1.1), ("baseline", 1.4), ("analysis", 1.25)])]
    options = BenchOptions(combos=parse_combos("analysis"), iterations=3, warmup=0, seed=1)
    info = SessionInfo(run_id="r1", name="rich", command_line=("pytest",), depth="standard", report_dir="/tmp/r")
    built = build_results(samples, options, info, history=(
        HistoryCheck(engine="pipeline", k=6, n_sessions=2, medians=(1.4, 1.5), run_ids=("a", None),
                     verdict="insufficient_history"),))
    goal = GoalRow(id="G1.1", goal="G1", text="faster", target="<= 0.57x", verdict="inconclusive", value=0.6,
                   ci_low=-math.inf, ci_high=math.inf, unit="x", stretch=Stretch(target="<= 0.5x", verdict="fail"),
                   details=({"where": "rich", "verdict": "inconclusive"},), session="rich")
    return dataclasses.replace(
        built, goals=(goal,),
        measurements=(Measurement(name="cli_help_s", unit="s", values=(0.2, 0.21), tests=("t",),
                                  info={"blocks": "round"}),),
        cost_vs_length=(LengthCost(bench="rich", combo="baseline", engine="pipeline", depth="standard",
                                   llm_profile=None, media_duration_s=60.0, median_s=1.5, ci_low=math.nan,
                                   ci_high=math.inf, per_minute_s=1.5, per_minute_ci=(math.nan, math.inf)),),
        memory_vs_length=(MemoryScaling(engine="pipeline", combo="baseline", depth="standard", llm_profile="instant",
                                        metric="peak_rss", minutes=(1.0, 5.0), n=(2, 2), slope=0.1, ci_low=-math.inf,
                                        ci_high=math.inf),),
        cost_model=(CostModel(engine="pipeline", combo="baseline", depth=None, llm_profile=None, minutes=(1.0, 5.0),
                              n=(3, 3), fixed_s=0.5, fixed_ci_low=0.4, fixed_ci_high=0.6, per_minute_s=2.0,
                              per_minute_ci_low=math.nan, per_minute_ci_high=math.nan),),
        compare=SessionComparison(other=OtherSession(run_id="r0", name=None, path="/tmp/old"), rows=(
            CellDelta(engine="pipeline", combo="baseline", n=3, n_other=1, verdict="insufficient"),)),
    )


def test_json_round_trips_a_session_exactly() -> None:
    results = rich()
    assert results.cells and results.comparisons and results.memory and results.equivalence and results.samples
    text = results.to_json()
    again = SessionResults.from_json(text)
    assert again.to_dict() == results.to_dict()  # NaN != NaN: the documents are compared
    assert again.to_json() == text
    assert again.samples == results.samples and again.banner == results.banner and again.session == results.session
    assert again.goals[0].stretch == Stretch(target="<= 0.5x", verdict="fail")
    assert again.goals[0].ci_low is None  # a goal's missing bound reads back as None (its fields are optional)
    assert math.isnan(again.cost_vs_length[0].ci_high)  # inf was written as null, which reads as NaN
    assert again.compare is not None and math.isnan(again.compare.rows[0].ratio)


def test_the_json_is_strict_with_null_where_a_number_is_not_finite() -> None:
    results = rich()
    data = strict_loads(results.to_json())
    assert data == results.to_dict() and data["schema"] == SCHEMA_VERSION
    assert data["cost_vs_length"][0]["per_minute_ci"] == [None, None]
    assert data["memory_vs_length"][0]["ci_low"] is None and data["memory_vs_length"][0]["slope"] == 0.1
    assert data["goals"][0]["ci_low"] is None and data["goals"][0]["value"] == 0.6
    cell = builders.cell(e2e=Summary(n=1, median=1.0, mean=1.0, p95=1.0, stdev=math.nan, cv=math.nan,
                                     ci_low=-math.inf, ci_high=math.inf))
    one_run = strict_loads(builders.results([cell]).to_json())
    assert one_run["cells"][0]["e2e"] == {"n": 1, "median": 1.0, "mean": 1.0, "p95": 1.0, "stdev": None, "cv": None,
                                          "ci_low": None, "ci_high": None}
    with pytest.raises(AssertionError, match="NaN"):
        strict_loads('{"ratio": NaN}')  # the check itself can fail


def broken(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(V1)
    at: Any = data
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    return data


@pytest.mark.parametrize(("data", "message"), [
    ({**V1, "schema": SCHEMA_VERSION + 1}, f"schema version {SCHEMA_VERSION + 1}"),
    ({**V1, "schema": "2"}, "schema version '2'"),
    ([V1], "not a JSON object"),
    ("results", "not a JSON object"),
    (broken(("cells", 0, "counts", "ok"), "three"), "cells.0.counts.ok"),
    (broken(("comparisons", 1, "n"), None), "comparisons.1.n"),
    (broken(("banner", "triggered"), "failed"), "banner.triggered"),
    (broken(("samples", 0, "e2e_s"), "fast"), "samples.0.e2e_s"),
    ({k: v for k, v in V1.items() if k != "banner"}, "banner"),
])
def test_an_unreadable_document_names_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ResultsFormatError) as raised:
        SessionResults.from_dict(data)
    assert str(raised.value).startswith(message), str(raised.value)  # the field (or the problem) comes first


def test_invalid_json_text_is_a_format_error() -> None:
    with pytest.raises(ResultsFormatError, match="invalid JSON"):
        SessionResults.from_json('{"schema": 2,')
    with pytest.raises(ResultsFormatError, match="schema version 9"):
        SessionResults.from_json(json.dumps({**V1, "schema": 9}))
