"""Benchmark targets for the real orchestrator.

`fresh_store_run` gives every run an empty data dir, so each run does the same writes (a re-run of
the same media would otherwise find its points and nodes already stored and skip the work). Loaded
models are shared with the session's resources when it has some; stores never are.

`indexed_evidence_run` starts each run from a copy of a data dir whose evidence corpus is already
indexed, as it is in use (the corpus is indexed once, talks come and go). The cost-vs-length
benchmark uses it, so its per-minute figures are not diluted by a fixed corpus-indexing cost.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
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


_TEMPLATE_LOCK = threading.Lock()


def indexed_evidence_run(source: str, settings: Settings, resources: Resources | None = None) -> RunResult:
    template = settings.data_dir / "evidence-indexed"
    with _TEMPLATE_LOCK:
        if not (template / "done").exists() and settings.evidence_dir is not None:
            _index_evidence_once(replace(settings, data_dir=template), resources)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=settings.data_dir))
    try:
        if template.is_dir():
            shutil.copytree(template, run_dir, dirs_exist_ok=True)
        own = replace(settings, data_dir=run_dir)
        with Resources(own, models_from=resources) as fresh:
            return run_engine(source, own, fresh)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _index_evidence_once(settings: Settings, resources: Resources | None) -> None:
    from autointel.memory.store import index_evidence

    assert settings.evidence_dir is not None
    with Resources(settings, models_from=resources) as res:
        index_evidence(res.vectors(), res.embedder(), settings.evidence_dir)
    (settings.data_dir / "done").write_text("evidence indexed\n")
