"""The step plan: same work in every combination, only the dependency edges change."""

from __future__ import annotations

import pytest

from autointel.engines.crewai_adapter.crew_layout import crew_layout, describe_layout
from autointel.engines.plan import build_plan
from autointel.settings import Depth, Flags

ALL = list(Flags.all_combinations())


@pytest.mark.parametrize("depth", list(Depth))
@pytest.mark.parametrize("flags", ALL, ids=[f.name for f in ALL])
def test_every_combination_builds_a_valid_plan_and_crew_layout(depth: Depth, flags: Flags) -> None:
    plan = build_plan(depth, flags, fact_check_workers=3)
    layout = crew_layout(plan)
    assert [t.step.name for t in layout] != []
    assert sorted(t.step.name for t in layout) == sorted(plan.names)
    position = {t.step.name: i for i, t in enumerate(layout)}
    for i, item in enumerate(layout):
        # CrewAI's rules: context only on earlier tasks; an async task never waits on an async task
        # of its own group; the crew ends with at most one async task.
        assert all(position[c] < i for c in item.context)
        for dep in item.step.deps:
            dep_index = position[dep]
            assert dep_index < i
            if item.is_async:
                between = [t.is_async for t in layout[dep_index:i]]
                assert not all(between), f"{item.step.name} would start before {dep} ends"
    assert not (len(layout) > 1 and layout[-1].is_async and layout[-2].is_async)


def _work(flags: Flags, depth: Depth) -> set[str]:
    return {s.kind for s in build_plan(depth, flags).steps}


@pytest.mark.parametrize("depth", list(Depth))
def test_work_is_the_same_set_of_step_kinds_in_every_combination(depth: Depth) -> None:
    baseline = _work(Flags(), depth)
    for flags in ALL:
        assert _work(flags, depth) == baseline


def test_baseline_is_a_chain() -> None:
    plan = build_plan(Depth.EXPERIMENTAL, Flags())
    for previous, step in zip(plan.steps, plan.steps[1:], strict=False):
        assert step.deps == (previous.name,)
    assert not any(t.is_async for t in crew_layout(plan))


def test_each_flag_makes_its_own_steps_concurrent() -> None:
    def async_tasks(flags: Flags) -> set[str]:
        return {t.step.name for t in crew_layout(build_plan(Depth.EXPERIMENTAL, flags, 4)) if t.is_async}

    assert async_tasks(Flags(parallel_analysis=True)) == {"text_analysis", "fallacy_detection", "perspective_synthesis"}
    assert async_tasks(Flags(parallel_fact_checking=True)) == {f"fact_check_{i}" for i in range(1, 5)}
    assert async_tasks(Flags(parallel_memory_ops=True)) == {"memory_store", "graph_build"}
    widest = async_tasks(Flags(True, True, True))
    assert {"memory_store", "claim_extraction", "index_evidence", "acquire"} <= widest


def test_fingerprints_differ_between_structures_and_repeat_for_equal_ones() -> None:
    prints = {describe_layout(crew_layout(build_plan(Depth.EXPERIMENTAL, f))).get("fingerprint") for f in ALL}
    assert len(prints) == len(ALL)
    again = describe_layout(crew_layout(build_plan(Depth.EXPERIMENTAL, Flags(True, False, True))))
    assert again["fingerprint"] in prints


def test_standard_depth_stops_after_analysis() -> None:
    plan = build_plan(Depth.STANDARD, Flags(True, True, True))
    assert {s.phase for s in plan.steps} == {"acquisition", "transcription", "analysis"}


def test_the_step_vocabulary_is_the_step_registry() -> None:
    from autointel.engines.steps import STEP_FUNCTIONS
    from autointel.model.vocabulary import STEP_KINDS

    assert tuple(STEP_FUNCTIONS) == STEP_KINDS
