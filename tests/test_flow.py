"""The CrewAI Flow engine: the plan's DAG as drawn, each step a one-task crew chained by context."""

from __future__ import annotations

from pathlib import Path

import pytest

from autointel.engines import run_engine
from autointel.engines.crewai_adapter.flow import describe_flow
from autointel.engines.plan import build_plan
from autointel.engines.resources import Resources
from autointel.model import RunResult, Status, to_jsonable
from autointel.settings import Depth, Flags
from tests.conftest import fixture_settings, talk_media

ALL = list(Flags.all_combinations())
SOURCE = "health_diet"


def _payload(result: RunResult) -> object:
    return to_jsonable((result.transcript, result.analysis, result.verification, result.deception_score))


@pytest.mark.parametrize("depth", list(Depth))
@pytest.mark.parametrize("flags", ALL, ids=[f.name for f in ALL])
def test_the_flow_structure_is_the_plan(depth: Depth, flags: Flags) -> None:
    plan = build_plan(depth, flags)
    methods = describe_flow(plan)["tasks"]
    assert [m["name"] for m in methods] == list(plan.names)
    assert [tuple(m["context"]) for m in methods] == [s.deps for s in plan.steps]
    starts = [m["name"] for m in methods if m["trigger"] == "start"]
    assert starts == [s.name for s in plan.steps if not s.deps]


def test_flow_fingerprints_differ_when_the_dag_does() -> None:
    prints = {describe_flow(build_plan(Depth.EXPERIMENTAL, f))["fingerprint"] for f in ALL}
    assert len(prints) == len(ALL)


@pytest.fixture(scope="module")
def pipeline_baseline(data_dir: Path, resources: Resources) -> RunResult:
    return run_engine(str(talk_media(SOURCE)), fixture_settings(data_dir), resources)


@pytest.mark.slow
@pytest.mark.parametrize("flags", ALL, ids=[f.name for f in ALL])
def test_each_combination_runs_ok_and_matches_the_pipeline(
    flags: Flags, data_dir: Path, resources: Resources, pipeline_baseline: RunResult
) -> None:
    settings = fixture_settings(data_dir, flags, engine="flow")
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert result.status is Status.OK, result.errors
    assert result.engine == "flow" and result.flags == flags.record()
    assert _payload(result) == _payload(pipeline_baseline)
    info = result.crew or {}
    plan = build_plan(settings.depth, flags, settings.fact_check_workers)
    assert info["fingerprint"] == describe_flow(plan)["fingerprint"]
    timings = {t["name"]: t for t in info["task_timings"]}  # type: ignore[attr-defined]
    assert set(timings) == set(plan.names) and all(t["status"] == "ok" for t in timings.values())
    assert len(info["llm"]["calls"]) == len(plan.steps)  # type: ignore[index]


@pytest.mark.slow
def test_steps_start_when_their_own_dependencies_end_not_at_a_stage_barrier(
    data_dir: Path, resources: Resources
) -> None:
    from autointel.faults import Fault

    flags = Flags(True, True, True)
    # Fallacy detection is held 10 s: fact-checking does not depend on it, so it must not wait for it
    # (in the crew engine's layout a sync barrier makes it wait).
    settings = fixture_settings(data_dir, flags, engine="flow", llm_profile="fixed-0.3", depth=Depth.DEEP,
                                faults=(Fault("fallacy_detection", "slow", 10.0),))
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert result.status is Status.OK, result.errors
    spans = {t["name"]: (t["start_s"], t["end_s"]) for t in result.crew["task_timings"]}  # type: ignore[index]
    plan = build_plan(settings.depth, flags, settings.fact_check_workers)
    for step in plan.steps:  # a task never starts before its dependencies finished
        assert all(spans[step.name][0] >= spans[d][1] for d in step.deps), step.name
    first_check = min(spans[n][0] for n in plan.names if n.startswith("fact_check_"))
    assert first_check < spans["fallacy_detection"][1]


@pytest.mark.slow
def test_a_failing_step_skips_its_dependents_and_the_run_is_partial(data_dir: Path, resources: Resources) -> None:
    from autointel.faults import Fault

    settings = fixture_settings(data_dir, Flags(True, True, True), engine="flow", depth=Depth.DEEP,
                                faults=(Fault("fact_check", "error"),), crew_timeout_s=120.0)
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert result.status is Status.PARTIAL
    assert result.analysis is not None and result.verification is None
    statuses = {s.name: s.status for s in result.steps}
    assert statuses["verification_integration"] == "skipped"
    assert {e.type for e in result.errors} == {"InjectedFault"}
