"""Helpers the tests import: repository paths, the labelled talks, and settings for a fixture run.

Imported everywhere as `from tests.helpers import ...`; `tests/conftest.py` holds only pytest fixtures and hooks.
This module stays stdlib-only at import time (the settings are imported when `fixture_settings` is called), so the
stdlib-only checks such as `tests/test_fixtures.py` can use its paths too.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autointel.settings import Flags, Settings

ROOT = Path(__file__).resolve().parent.parent  # the repository: this file is tests/helpers.py
FIXTURES = ROOT / "fixtures"
EVIDENCE = FIXTURES / "evidence"
DATASETS = ROOT / "datasets"


def load_labels() -> dict[str, Any]:
    talks: dict[str, Any] = json.loads((FIXTURES / "labels.json").read_text())["talks"]
    return talks


def talk_media(stem: str) -> Path:
    return ROOT / load_labels()[stem]["media"][0]


def fixture_settings(data_dir: Path, flags: Flags | None = None, **overrides: Any) -> Settings:
    from autointel.settings import Depth, Flags, load_settings

    values: dict[str, Any] = {"depth": Depth.COMPREHENSIVE, "data_dir": data_dir, "evidence_dir": EVIDENCE,
                              "engine": "pipeline"}
    values.update(overrides)
    return load_settings({}, **values).with_flags(flags or Flags())


def free_port() -> int:
    """A loopback port nothing listens on at the moment of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
