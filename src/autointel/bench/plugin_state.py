"""The plugin's state for one pytest session. It lives in `config.stash`, never in a module global, so two
sessions in one process (pytester) never see each other's benches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from autointel.bench.options import BenchOptions

if TYPE_CHECKING:
    from autointel.bench.session import BenchSession
    from autointel.model.bench_results import GoalRow, SessionResults


@dataclass
class PluginState:
    options: BenchOptions
    run_id: str
    report_root: Path
    command_line: list[str]
    rootpath: Path
    pending: dict[str, BenchSession] = field(default_factory=dict)  # pedantic path, finalised at the end
    results: dict[str, SessionResults] = field(default_factory=dict)
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)  # add_measurement, by name
    goals: tuple[GoalRow, ...] = ()
    errors: list[str] = field(default_factory=list)
    exit_note: str | None = None


STATE_KEY = pytest.StashKey[PluginState]()
