"""The indexed listener lookup fires exactly what CrewAI's own scan fires, in the same order.

CrewAI's `Flow._find_triggered_methods` is the oracle: two flows over one definition, one plain and one
with `IndexedListeners`, are fed the same events and must answer alike every time, and keep the same
fired-once listeners. The definitions are CrewAI's agent executor (what every task runs) and a flow with
nested `and`/`or` conditions and routers.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from crewai.agents.agent_executor import AgentExecutor
from crewai.flow.flow import Flow, and_, listen, or_, router, start

from autointel.engines.crewai_adapter.crew_build import StepExecutor
from autointel.engines.crewai_adapter.listener_index import SUPPORTED, IndexedListeners, ListenerIndex, events_named


class Nested(Flow):  # type: ignore[misc]
    _skip_auto_memory = True

    @start()
    def begin(self) -> str:
        return "x"

    @listen(and_("begin", or_("left", "right")))
    def joined(self) -> None: ...

    @listen(or_("left", "right", "begin"))
    def first_of(self) -> None: ...

    @router(or_("joined", and_("left", "right")))
    def choose(self) -> str:
        return "left"

    @listen("left")
    def on_left(self) -> None: ...

    @listen(and_("left", "right", "on_left"))
    def all_three(self) -> None: ...


def _pair(definition_of: type[Any]) -> tuple[Any, Any]:
    plain = type("Plain", (Flow,), {"_skip_auto_memory": True})(suppress_flow_events=True)
    indexed = type("Indexed", (IndexedListeners, Flow), {"_skip_auto_memory": True})(suppress_flow_events=True)
    for flow in (plain, indexed):
        flow._definition = definition_of.flow_definition()
    return plain, indexed


def _events(flow: Any) -> list[str]:
    names: set[str] = set(flow._definition.methods)
    for _, _, condition in flow._listener_methods():
        names |= events_named(condition)
    return sorted(names)


@pytest.mark.skipif(not SUPPORTED, reason="this CrewAI lacks the Flow internals the index stands on")
@pytest.mark.parametrize("definition_of", [AgentExecutor, Nested], ids=["agent-executor", "nested"])
def test_the_index_triggers_what_crewai_triggers(definition_of: type[Any]) -> None:
    plain, indexed = _pair(definition_of)
    events = _events(plain)
    rng = random.Random(7)
    fired = 0
    for _ in range(3000):
        event, router_only = rng.choice(events), rng.random() < 0.5
        expected = plain._find_triggered_methods(event, router_only)
        assert indexed._find_triggered_methods(event, router_only) == expected, (event, router_only)
        assert indexed._fired_or_listeners == plain._fired_or_listeners
        fired += len(expected)
        if rng.random() < 0.02:  # CrewAI re-arms fired-once listeners between runs of a cyclic flow
            for flow in (plain, indexed):
                flow._fired_or_listeners.clear()
    assert fired > 100, "the sequence must trigger listeners, or it proves nothing"


def test_the_executor_tests_a_few_listeners_per_event_not_all() -> None:
    plain, _ = _pair(AgentExecutor)
    listeners = list(plain._listener_methods())
    index = ListenerIndex(listeners)
    widest = max(len(index.candidates(event)) for event in _events(plain))
    assert len(listeners) >= 20 and widest <= 3


def test_a_condition_naming_no_event_is_tested_on_every_event_in_definition_order() -> None:
    class Definition:
        router = False

    index = ListenerIndex([("a", Definition(), "x"), ("never", Definition(), {"and": []}), ("b", Definition(), "x")])
    assert [listener.name for listener in index.candidates("x")] == ["a", "never", "b"]
    assert [listener.name for listener in index.candidates("y")] == ["never"]


def test_the_crew_engines_use_the_index() -> None:
    assert issubclass(StepExecutor, IndexedListeners)
    assert StepExecutor._find_triggered_methods is IndexedListeners._find_triggered_methods


def test_the_patches_apply_only_to_tested_crewai_releases_with_the_internals_they_use() -> None:
    from crewai.flow.flow import Flow

    from autointel.engines.crewai_adapter.compat import PATCHES_APPLY, patches_apply, release

    assert release("1.15.30") == (1, 15) and release("2.0.0rc1") == (2, 0) and release("dev") == (0, 0)
    assert patches_apply("1.15.30", Flow) and PATCHES_APPLY
    assert not patches_apply("1.14.9", Flow) and not patches_apply("2.0.0", Flow)
    assert not patches_apply("1.15.30", type("Bare", (), {}))
