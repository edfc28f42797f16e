"""Shared fixtures: the labelled talks, one set of loaded models, and their pipeline results.

Only fixtures and hooks live here; the plain helpers they use (paths, `talk_media`, `fixture_settings`) are in
`tests/helpers.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.model import RunResult
from autointel.phases.verification.nli import NLIModel
from tests.helpers import fixture_settings, load_labels, talk_media


@pytest.fixture(scope="session")
def labels() -> dict[str, Any]:
    return load_labels()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def resources(data_dir: Path) -> Iterator[Resources]:
    with Resources(fixture_settings(data_dir)) as shared:
        yield shared


@pytest.fixture(scope="session")
def talk_runs(labels: dict[str, Any], data_dir: Path, resources: Resources) -> dict[str, RunResult]:
    """Every labelled talk through the pipeline once (sequential baseline), shared by the quality tests."""
    return {
        stem: run_engine(str(talk_media(stem)), fixture_settings(data_dir), resources) for stem in sorted(labels)
    }


@pytest.fixture(scope="session")
def nli() -> NLIModel:
    """The shipped fact-check NLI model, loaded once for the test session."""
    return NLIModel()
