"""Benchmark targets for the real orchestrator.

`fresh_store_run` gives every run an empty data dir, so each run does the same writes (a re-run of
the same media would otherwise find its points and nodes already stored and skip the work). Loaded
models are shared with the session's resources when it has some; stores never are.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.model import RunResult
from autointel.settings import Settings


def fresh_store_run(source: str, settings: Settings, resources: Resources | None = None) -> RunResult:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=settings.data_dir))
    try:
        own = replace(settings, data_dir=run_dir)
        with Resources(own, models_from=resources) as fresh:
            return run_engine(source, own, fresh)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
