"""Shared fixtures: the labelled talks, one set of loaded models, and their pipeline results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.model import RunResult
from autointel.phases.verification.nli import NLIModel
from autointel.settings import Depth, Flags, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EVIDENCE = FIXTURES / "evidence"


def load_labels() -> dict[str, Any]:
    talks: dict[str, Any] = json.loads((FIXTURES / "labels.json").read_text())["talks"]
    return talks


def talk_media(stem: str) -> Path:
    return ROOT / load_labels()[stem]["media"][0]


@pytest.fixture(scope="session")
def labels() -> dict[str, Any]:
    return load_labels()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


def fixture_settings(data_dir: Path, flags: Flags | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"depth": Depth.COMPREHENSIVE, "data_dir": data_dir, "evidence_dir": EVIDENCE,
                              "engine": "pipeline"}
    values.update(overrides)
    return load_settings({}, **values).with_flags(flags or Flags())


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
