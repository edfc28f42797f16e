"""The CrewAI engines against the pipeline: in every flag combination each one does the pipeline's work through its
own drawing of the plan, and a failing step leaves the same partial result, in bounded time, in each."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.crewai_adapter.crew_layout import crew_layout
from autointel.engines.crewai_adapter.flow import describe_flow
from autointel.engines.plan import Plan, build_plan
from autointel.engines.resources import Resources
from autointel.faults import Fault
from autointel.model import RunResult, Status, to_jsonable
from autointel.settings import AGENTIC_ENGINES, Depth, Flags
from tests.helpers import fixture_settings, talk_media

ALL = list(Flags.all_combinations())
SOURCE = "health_diet"


def _payload(result: RunResult) -> Any:
    return to_jsonable((result.transcript, result.analysis, result.verification, result.deception_score))


def _crew_tasks_follow_the_layout(info: dict[str, Any], plan: Plan) -> None:
    assert [t["name"] for t in info["tasks"]] == [item.step.name for item in crew_layout(plan)]


def _flow_is_the_plans_dag(info: dict[str, Any], plan: Plan) -> None:
    assert info["fingerprint"] == describe_flow(plan)["fingerprint"]


# How each engine draws the plan, as its result records it: the one check the engines do not share.
DRAWN_AS: dict[str, Callable[[dict[str, Any], Plan], None]] = {
    "crew": _crew_tasks_follow_the_layout,
    "flow": _flow_is_the_plans_dag,
}


@pytest.fixture(scope="module")
def pipeline_baseline(data_dir: Path, resources: Resources) -> RunResult:
    return run_engine(str(talk_media(SOURCE)), fixture_settings(data_dir), resources)


@pytest.mark.slow
@pytest.mark.parametrize("flags", ALL, ids=[f.name for f in ALL])
@pytest.mark.parametrize("engine", AGENTIC_ENGINES)
def test_each_combination_runs_ok_and_matches_the_pipeline(
    engine: str, flags: Flags, data_dir: Path, resources: Resources, pipeline_baseline: RunResult
) -> None:
    settings = fixture_settings(data_dir, flags, engine=engine)
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert result.status is Status.OK, result.errors
    assert result.engine == engine and result.flags == flags.record()
    assert _payload(result) == _payload(pipeline_baseline)
    info = result.crew or {}
    plan = build_plan(settings.depth, flags, settings.fact_check_workers)
    DRAWN_AS[engine](info, plan)
    timings = {t["name"]: t for t in info["task_timings"]}  # type: ignore[attr-defined]
    assert set(timings) == set(plan.names) and all(t["status"] == "ok" for t in timings.values())
    calls = info["llm"]["calls"]  # type: ignore[index]
    assert len(calls) == len(plan.steps)  # one ReAct action turn per task: the tool's result is the answer
    assert all(c["prompt_tokens"] > 0 for c in calls)


@pytest.mark.slow
@pytest.mark.parametrize("engine", AGENTIC_ENGINES)
def test_a_failing_step_skips_its_dependents_and_the_run_is_partial_in_bounded_time(
    engine: str, data_dir: Path, resources: Resources
) -> None:
    settings = fixture_settings(data_dir, Flags(True, True, True), engine=engine, depth=Depth.DEEP,
                                faults=(Fault("fact_check", "error"),), crew_timeout_s=120.0)
    started = time.perf_counter()
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert time.perf_counter() - started < 120
    assert result.status is Status.PARTIAL
    assert result.analysis is not None and result.verification is None
    assert {e.type for e in result.errors} == {"InjectedFault"}
    statuses = {s.name: s.status for s in result.steps}
    assert statuses["verification_integration"] == "skipped"
