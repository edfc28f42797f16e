"""The CrewAI Flow engine: the plan's DAG as drawn, each step a one-task crew chained by context.

That it does the pipeline's work is checked with the crew's in `tests/engines/test_engine_equivalence.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from autointel.engines import run_engine
from autointel.engines.crewai_adapter.flow import describe_flow
from autointel.engines.plan import build_plan
from autointel.engines.resources import Resources
from autointel.model import Status
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media

ALL = list(Flags.all_combinations())
SOURCE = "health_diet"


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
