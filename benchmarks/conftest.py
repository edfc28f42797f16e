"""Shared pieces of the project's benchmarks (run with `nox -s bench`, or `pytest benchmarks`), and the hook that
gives the harness this project's performance goals (`benchmarks/goals`)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from autointel.engines.resources import Resources
from autointel.model.bench_results import GoalRow, SessionResults
from autointel.settings import load_settings
from benchmarks.media import ROOT

EVIDENCE = ROOT / "fixtures" / "evidence"
FULL = os.environ.get("AUTOINTEL_BENCH_PROFILE", "default") == "full"


@pytest.fixture(scope="session")
def bench_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-data")


@pytest.fixture(scope="session")
def shared_models(bench_data: Path) -> Iterator[Resources]:
    """Models loaded once and shared across in-process runs; every run still gets fresh stores."""
    with Resources(load_settings({}, data_dir=bench_data / "models")) as resources:
        resources.load_models()
        yield resources


def pytest_autointel_goals(
    benches: Mapping[str, SessionResults], measurements: Mapping[str, Mapping[str, Any]], seed: int
) -> tuple[GoalRow, ...]:
    """G1-G8 over every bench and measurement of this session (the plugin's hook: it judges no goals itself)."""
    from benchmarks.goals import goal_rows_of

    return goal_rows_of(benches, measurements, seed)
