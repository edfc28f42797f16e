"""CrewAI's Flow listener lookup, indexed by event name: the same listeners fire, fewer are tested.

When a Flow method finishes, CrewAI 1.15 (`Flow._find_triggered_methods`) tests the condition of every
listener of the flow against that one event. Its agent executor is itself a Flow of dozens of listeners that
scans them many times per task, so every CrewAI task paid for thousands of condition tests (docs/crewai.md gives
the counts and the share of CrewAI's time per task; `nox -s experiment -- crewai_task_cost` measures it).

The index maps each event name to the listeners whose condition names it, in the flow's definition order,
and only those are tested, with CrewAI's own `_condition_met`. A listener whose condition does not name the
event cannot be triggered by it: `_condition_met` drops a listener's pending events the moment its condition
holds, so an event the condition does not name never completes it. What is skipped is CrewAI recording that
event among that listener's pending events, which nothing reads. A condition naming no event at all is tested
on every event, as before. `tests/engines/crewai_adapter/test_listener_index.py` replays event sequences through
CrewAI's scan and the index and requires the same methods, in the same order, from both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from crewai.flow.types import FlowMethodName

from autointel.engines.crewai_adapter.compat import PATCHES_APPLY

SUPPORTED = PATCHES_APPLY  # otherwise CrewAI's own scan runs


class Listener(NamedTuple):
    name: str
    condition: Any  # an event name, or {"and" | "or": [conditions]}
    router: bool
    fires_once: bool  # a non-router `or` of several events: fires once until CrewAI re-arms it


def events_named(condition: Any) -> frozenset[str]:
    """Every event name a listener condition mentions, however deeply nested."""
    if isinstance(condition, str):
        return frozenset({condition})
    if isinstance(condition, Mapping):
        branches = condition.get("and", condition.get("or", []))
        return frozenset().union(*(events_named(branch) for branch in branches))
    return frozenset()


def _fires_once(condition: Any, router: bool) -> bool:
    """CrewAI's `_is_multi_event_or` for non-routers: such a listener fires once per arming."""
    if router or not isinstance(condition, Mapping) or "and" in condition:
        return False
    return len(condition.get("or", [])) > 1


class ListenerIndex:
    """Listeners by the event names their conditions mention, each list in definition order."""

    def __init__(self, listeners: Iterable[tuple[Any, Any, Any]]) -> None:
        self._by_event: dict[str, list[Listener]] = {}
        self._always: list[Listener] = []  # conditions that name no event
        self._order: dict[str, int] = {}
        for position, (name, definition, condition) in enumerate(listeners):
            router = bool(getattr(definition, "router", False))
            listener = Listener(str(name), condition, router, _fires_once(condition, router))
            self._order[listener.name] = position
            named = events_named(condition)
            for event in named:
                self._by_event.setdefault(event, []).append(listener)
            if not named:
                self._always.append(listener)

    def candidates(self, event: str) -> list[Listener]:
        found = self._by_event.get(event, [])
        if not self._always:
            return found
        return sorted([*found, *self._always], key=lambda listener: self._order[listener.name])


class IndexedListeners:
    """Put first among a Flow subclass's bases: its listener lookup goes through a `ListenerIndex`.

    The index is built on an instance's first lookup, from the definition that instance runs, and kept as a
    plain attribute (a Flow accepts those)."""

    def _find_triggered_methods(self, trigger_method: FlowMethodName, router_only: bool) -> list[FlowMethodName]:
        flow: Any = self
        if not SUPPORTED:
            return list(super()._find_triggered_methods(trigger_method, router_only))  # type: ignore[misc]
        index: ListenerIndex | None = getattr(flow, "_autointel_listener_index", None)
        if index is None:
            index = ListenerIndex(flow._listener_methods())
            flow._autointel_listener_index = index
        triggered: list[FlowMethodName] = []
        for listener in index.candidates(str(trigger_method)):
            if listener.router != router_only:
                continue
            if listener.fires_once and listener.name in flow._fired_or_listeners:
                continue
            if flow._condition_met(listener.condition, trigger_method, listener.name):
                triggered.append(FlowMethodName(listener.name))
                if listener.fires_once:
                    flow._fired_or_listeners.add(FlowMethodName(listener.name))
        return triggered
