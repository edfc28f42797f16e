"""Engines: schedule the one step plan as a CrewAI Flow of one-task crews (`flow`), as one CrewAI crew
(`crew`), or as plain asyncio (`pipeline`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from autointel.engines.resources import Resources
from autointel.model import RunResult
from autointel.model.progress import ProgressSink
from autointel.settings import Settings

if TYPE_CHECKING:
    from autointel.engines.runner import Scheduler

# engine -> (module, scheduler); imported on first use so `autointel --help` stays light.
_SCHEDULERS = {
    "flow": ("autointel.engines.crewai_adapter.flow", "schedule_flow"),
    "crew": ("autointel.engines.crewai_adapter.crew", "schedule_crew"),
    "pipeline": ("autointel.engines.pipeline", "schedule_pipeline"),
}


def scheduler_for(engine: str) -> Scheduler:
    """The engine's scheduler. Importing it imports what its steps use (Qdrant's client alone takes over a
    second in a fresh process), so a benchmark worker calls this before the clock, as a warm process has."""
    module, name = _SCHEDULERS[engine]
    return cast("Scheduler", getattr(importlib.import_module(module), name))


def run_engine(
    source: str,
    settings: Settings,
    resources: Resources | None = None,
    progress: ProgressSink | None = None,
) -> RunResult:
    """Run `source` with the engine that `settings` names."""
    from autointel.engines.runner import execute

    return execute(source, settings, resources, scheduler_for(settings.engine), progress)
