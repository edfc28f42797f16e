"""The `crew` engine: the same step plan, run as a CrewAI crew of one agent and one task per step.

CrewAI runs tasks in list order; an async task starts when reached and every sync task first waits
for all pending async tasks. `crew_layout` turns the plan's DAG into such a list: groups of ready
steps become async tasks, each group closed by a sync task. The layout, its fingerprint and the
per-task timings from CrewAI's event bus go into the result, so a run proves what structure ran.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autointel.engines.context import RunContext
from autointel.engines.interrupt import wind_down
from autointel.engines.plan import Plan, Step, fingerprint
from autointel.engines.steps import run_step
from autointel.llm.profiles import ProviderModel, load_profile, record_profile

CREW_ENV = {"CREWAI_DISABLE_TELEMETRY": "true", "OTEL_SDK_DISABLED": "true", "CREWAI_TRACING_ENABLED": "false"}

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


def crew_environment(ctx: RunContext) -> None:
    crew_environment_at(ctx.settings.data_dir)


def crew_environment_at(data_dir: Path) -> None:
    """CrewAI reads these at import time: no telemetry, and its own files under our data dir."""
    for name, value in CREW_ENV.items():
        os.environ[name] = value
    crew_home = data_dir / "crewai"
    os.environ.setdefault("XDG_DATA_HOME", str(crew_home / "data"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(crew_home / "config"))


def schedule_crew(plan: Plan, ctx: RunContext) -> dict[str, object]:
    crew_environment(ctx)
    from autointel.engines.crew_build import EventLog, build_crew, make_llm

    # One warning per real call about approximate token counts: noise for our users, not news.
    logging.getLogger("crewai.llms.base_llm").setLevel(logging.ERROR)

    layout = crew_layout(plan)
    info = describe_layout(layout)
    provider = ProviderModel(load_profile(ctx.settings.llm_profile), t0=ctx.recorder.t0, seed=ctx.settings.llm_seed)
    llm = make_llm(ctx.settings, provider)
    crew, tasks_by_name = build_crew(layout, ctx, llm)
    events = EventLog(ctx.recorder.t0, tasks_by_name)
    return supervise(plan, ctx, info, events, provider, crew.kickoff, "crew")


def supervise(plan: Plan, ctx: RunContext, info: dict[str, Any], events: Any, provider: ProviderModel,
              kickoff: Callable[[], object], what: str) -> dict[str, object]:
    """Run a CrewAI kickoff in a worker bounded by the crew timeout, then record what CrewAI saw: errors,
    steps that never ran, task timings from the event bus, and the LLM calls (a replay profile if asked)."""
    outcome: dict[str, BaseException] = {}
    # Completion is an Event, not Thread.join: a join interrupted by Ctrl-C can leave the thread reported as
    # stopped while it still runs (CPython's tstate-lock race), and the wind-down must know the truth.
    finished = threading.Event()

    def body() -> None:
        try:
            kickoff()
        except BaseException as exc:  # surfaced below as a recorded error, never a hang
            outcome["error"] = exc
        finally:
            finished.set()

    with events.listening():
        worker = threading.Thread(target=body, name=f"autointel-{what}", daemon=True)
        worker.start()
        try:
            timed_out = not finished.wait(ctx.settings.crew_timeout_s)
        except KeyboardInterrupt:
            wind_down(ctx, finished)
            raise
    if timed_out:
        ctx.record_error("crew", TimeoutError(f"{what} did not finish within {ctx.settings.crew_timeout_s:.0f} s"))
    elif "error" in outcome:
        ctx.record_error("crew", outcome["error"])
    mark_unrun(plan, ctx)
    info["task_timings"] = events.timings()
    calls = [vars(c) for c in provider.calls] or events.llm_calls()
    info["llm"] = {"backend": ctx.settings.llm, "profile": provider.profile.name, "seed": ctx.settings.llm_seed,
                   "calls": calls}
    if ctx.settings.llm_record is not None and ctx.settings.llm != "offline":
        record_profile(ctx.settings.llm_record, ctx.settings.llm, [float(c["latency_s"]) for c in calls])
    return info


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
