"""Engines: schedule the one step plan as a CrewAI Flow of one-task crews (`flow`), as one CrewAI crew
(`crew`), or as plain asyncio (`pipeline`)."""

from __future__ import annotations

from collections.abc import Callable

from autointel.engines.resources import Resources
from autointel.model import RunResult, StepRecord
from autointel.settings import Settings

ProgressListener = Callable[[StepRecord], None]


def run_engine(
    source: str,
    settings: Settings,
    resources: Resources | None = None,
    progress: ProgressListener | None = None,
) -> RunResult:
    """Run `source` with the engine that `settings` names."""
    from autointel.engines.runner import execute

    if settings.engine == "flow":
        from autointel.engines.flow import schedule_flow

        return execute(source, settings, resources, schedule_flow, progress)
    if settings.engine == "crew":
        from autointel.engines.crew import schedule_crew

        return execute(source, settings, resources, schedule_crew, progress)
    from autointel.engines.pipeline import schedule_pipeline

    return execute(source, settings, resources, schedule_pipeline, progress)
