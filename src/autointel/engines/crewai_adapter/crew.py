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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autointel.engines.context import RunContext
from autointel.engines.crewai_adapter.crew_layout import crew_layout, describe_layout, mark_unrun
from autointel.engines.interrupt import wind_down
from autointel.engines.plan import Plan
from autointel.llm.profiles import ProviderModel, load_profile, record_profile

CREW_ENV = {"CREWAI_DISABLE_TELEMETRY": "true", "OTEL_SDK_DISABLED": "true", "CREWAI_TRACING_ENABLED": "false"}

def crew_environment(ctx: RunContext) -> None:
    crew_environment_at(ctx.settings.data_dir)


def crew_environment_at(data_dir: Path) -> None:
    """CrewAI reads these at import time: no telemetry, and its own files under our data dir."""
    for name, value in CREW_ENV.items():
        os.environ[name] = value
    crew_home = data_dir / "crewai"
    os.environ.setdefault("XDG_DATA_HOME", str(crew_home / "data"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(crew_home / "config"))


def preload_crewai(data_dir: Path) -> None:
    """Import CrewAI and the adapter now, with CrewAI's environment set: a warm process has paid this already."""
    import importlib

    crew_environment_at(data_dir)
    importlib.import_module("autointel.engines.crewai_adapter.crew_build")


def schedule_crew(plan: Plan, ctx: RunContext) -> dict[str, object]:
    crew_environment(ctx)
    from autointel.engines.crewai_adapter.crew_build import EventLog, build_crew, make_llm

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
    if ctx.settings.llm_record is not None and ctx.settings.llm not in ("offline", "local"):
        record_profile(ctx.settings.llm_record, ctx.settings.llm, [float(c["latency_s"]) for c in calls])
    return info


