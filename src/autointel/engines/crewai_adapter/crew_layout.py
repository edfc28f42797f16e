"""The crew layout of a step plan, and the step bodies CrewAI's tools call: no CrewAI import here, so the
layout can be described (and fingerprinted) without loading CrewAI, and crew_build and crew share it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from autointel.engines.context import RunContext
from autointel.engines.plan import Plan, Step, fingerprint
from autointel.engines.steps import run_step

ROLES = {
    "acquisition": "Media acquisition specialist",
    "transcription": "Transcription specialist",
    "analysis": "Content analyst",
    "verification": "Fact-checking analyst",
    "integration": "Knowledge integration specialist",
    "briefing": "Intelligence briefing writer",
}


@dataclass(frozen=True)
class CrewTask:
    step: Step
    is_async: bool
    context: tuple[str, ...]  # what CrewAI hands the task, and what it effectively waits for


def crew_layout(plan: Plan) -> tuple[CrewTask, ...]:
    """Order the plan for CrewAI: concurrent groups of async tasks, each closed by a sync task."""
    remaining = list(plan.steps)
    done: set[str] = set()
    layout: list[CrewTask] = []
    last_sync: str | None = None
    pending_async: list[str] = []
    while remaining:
        ready = [s for s in remaining if set(s.waits_for) <= done]  # a crew cannot start a task mid-step
        if pending_async:  # a sync barrier must come next: the most joined ready step
            barrier = max(ready, key=lambda s: (len(s.deps), -remaining.index(s)))
            chosen, is_async = [barrier], False
        elif len(ready) == 1 or len(ready) == len(remaining):
            # CrewAI lets a crew end with at most one async task, and a sync task waits for every pending
            # one: steps that would end the crew together run one after another.
            chosen, is_async = ready[:1], False
        else:
            chosen, is_async = ready, True
        waits = tuple(pending_async) + ((last_sync,) if last_sync and not pending_async else ())
        for step in chosen:
            context = (last_sync,) if is_async and last_sync else waits
            layout.append(CrewTask(step, is_async, tuple(c for c in context if c)))
            remaining.remove(step)
            done.add(step.name)
        if is_async:
            pending_async = [s.name for s in chosen]
        else:
            pending_async, last_sync = [], chosen[0].name
    return tuple(layout)


def describe_layout(layout: tuple[CrewTask, ...]) -> dict[str, Any]:
    tasks = [
        {"name": t.step.name, "agent": ROLES[t.step.phase], "async": t.is_async, "context": list(t.context)}
        for t in layout
    ]
    return {"tasks": tasks, "fingerprint": fingerprint(tasks)}


def mark_unrun(plan: Plan, ctx: RunContext) -> None:
    """Steps that never ran (crew aborted) are recorded as skipped, so the result stays honest."""
    seen = {s.name for s in ctx.recorder.steps()}
    for step in plan.steps:
        if step.name not in seen:
            ctx.recorder.skipped(step.name, step.phase)


def run_step_once(ctx: RunContext, step: Step) -> str:
    """The body of a step's CrewAI tool: skip if a dependency did not succeed; never raise."""
    statuses = {s.name: s.status for s in ctx.recorder.steps()}
    if ctx.cancelled.is_set() or any(statuses.get(dep) != "ok" for dep in step.deps):
        if step.name not in statuses:
            ctx.recorder.skipped(step.name, step.phase)
        return f"SKIPPED: {step.name} (an upstream step did not succeed)"
    if step.name in statuses:  # CrewAI may call a tool twice; the work is done once
        return f"ALREADY RAN: {step.name} ({statuses[step.name]})"
    try:
        return run_step(ctx, step)
    except Exception as exc:
        return f"FAILED: {step.name}: {type(exc).__name__}: {exc}"


def wall_clock_offset(t0: float) -> float:
    """Seconds to subtract from an epoch timestamp to land on the run's perf_counter clock."""
    return time.time() - (time.perf_counter() - t0)
