"""The plan's edges carry the data: every board slot a step reads is written only by steps it waits for.

The widest DAG (the master flag) is drawn from what each step reads; a missing edge would let a step read a
slot before its writer ran, which output-equality tests catch only when the timing happens to expose it. Here
every step of a real run is traced: which slots it reads and writes, then each read is checked against the
plan's transitive dependencies.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from autointel.engines.context import Board, RunContext
from autointel.engines.plan import Plan, build_plan
from autointel.engines.resources import Resources
from autointel.engines.runner import settle_graph_write
from autointel.engines.steps import run_step
from autointel.settings import Flags
from tests.helpers import fixture_settings, talk_media

SLOTS = {f.name for f in dataclasses.fields(Board)}


class _Trace:
    def __init__(self) -> None:
        self.step = ""
        self.reads: dict[str, set[str]] = defaultdict(set)  # step -> slots
        self.writes: dict[str, set[str]] = defaultdict(set)  # slot -> steps


class _CheckedDict(dict[int, Any]):
    """The fact-check shards write into one dict: a key set is a write of the `checked` slot."""

    def __init__(self, trace: _Trace) -> None:
        super().__init__()
        self._trace = trace

    def __setitem__(self, key: int, value: Any) -> None:
        self._trace.writes["checked"].add(self._trace.step)
        super().__setitem__(key, value)


class _TracingBoard(Board):
    def __init__(self, trace: _Trace) -> None:
        object.__setattr__(self, "_trace", trace)
        super().__init__()
        object.__setattr__(self, "checked", _CheckedDict(trace))

    def __getattribute__(self, name: str) -> Any:
        if name in SLOTS:
            trace = object.__getattribute__(self, "_trace")
            if trace.step:
                trace.reads[trace.step].add(name)
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        trace = object.__getattribute__(self, "_trace")
        if name in SLOTS and trace.step:
            trace.writes[name].add(trace.step)
        object.__setattr__(self, name, value)


def _ancestors(plan: Plan, name: str) -> set[str]:
    seen: set[str] = set()
    stack = list(plan.step(name).waits_for)  # a streamed step is waited for too: its feed closes after it
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(plan.step(dep).waits_for)
    return seen


def _traced_run(flags: Flags, data_dir: Path, resources: Resources) -> tuple[Plan, _Trace]:
    settings = fixture_settings(data_dir, flags)
    plan = build_plan(settings.depth, settings.flags, settings.fact_check_workers)
    trace = _Trace()
    ctx = RunContext(source=str(talk_media("health_diet")), settings=settings, resources=resources,
                     board=_TracingBoard(trace))
    for step in plan.steps:  # plan order is a topological order
        trace.step = step.name
        run_step(ctx, step)
    trace.step = ""
    settle_graph_write(ctx)
    return plan, trace


CASES = [*Flags.all_combinations(), dataclasses.replace(Flags(True, True, True), streaming_transcription=True)]


@pytest.mark.slow
@pytest.mark.parametrize("flags", CASES, ids=[f.name + ("+streaming" if f.streaming_transcription else "")
                                               for f in CASES])
def test_every_read_slot_is_written_by_a_step_the_reader_waits_for(
    flags: Flags, data_dir: Path, resources: Resources
) -> None:
    plan, trace = _traced_run(flags, data_dir, resources)
    assert trace.writes["briefing"] == {"briefing"} and trace.writes["checked"]  # the trace saw the run
    for reader in plan.names:
        before = _ancestors(plan, reader)
        for slot in trace.reads[reader]:
            writers = trace.writes.get(slot, set())
            if reader in writers:  # a slot the step fills itself (the shards each write their own keys)
                continue
            assert writers <= before, f"{reader} reads {slot} from {sorted(writers - before)}: no edge to them"


def test_the_widest_briefing_waits_for_no_integration_step() -> None:
    """What the master flag buys over the memory-ops flag: the briefing runs beside the graph and memory."""
    from autointel.settings import Depth

    widest = build_plan(Depth.EXPERIMENTAL, Flags(True, True, True))
    assert set(widest.step("briefing").deps) == {"analysis_integration", "verification_integration"}
    assert set(widest.step("verification_integration").deps) >= {"fallacy_detection"}
    assert not {"graph_build", "memory_store"} & _ancestors(widest, "briefing")
    memory_only = build_plan(Depth.EXPERIMENTAL, Flags(parallel_memory_ops=True))
    assert {"graph_build", "memory_store"} <= _ancestors(memory_only, "briefing")
