"""The hooks the autointel pytest plugin offers to a project's conftest.py or plugins.

The harness measures any Python pipeline; what counts as good enough for one is that project's business. So the
plugin judges no goals of its own: a project that has performance goals implements `pytest_autointel_goals` and the
plugin puts its rows into every report of the pytest session; a project benchmarking a pipeline with its own flags
names them with `pytest_autointel_flag_space`. The plugin adds these specs in `pytest_addhooks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from autointel.model.bench_results import GoalRow, SessionResults
    from autointel.model.combo import FlagSpace


@pytest.hookspec
def pytest_autointel_goals(
    benches: Mapping[str, SessionResults], measurements: Mapping[str, Mapping[str, Any]], seed: int
) -> Sequence[GoalRow] | None:
    """Judge this project's performance goals over one pytest session; called once, at session end.

    :param benches: every bench of the session by name, its `SessionResults` as its results.json holds it (cells,
        comparisons, memory, engines, cost and memory against media length when benches ran on several lengths).
    :param measurements: the extra samples recorded with `autointel_bench.add_measurement`, by name:
        ``{"name", "unit", "values": [...], "tests": [node ids], "info": {...}}``.
    :param seed: the session's seed (`--autointel-seed`); derive any bootstrap's seed from it, so a rerun with the
        same seed gives the same CIs.
    :return: the goals as `autointel.model.bench_results.GoalRow`s (or None: no goals). Each row's `verdict` is one
        of ``pass`` / ``fail`` (the 95% CI lies wholly on the good / bad side of the goal's limit),
        ``inconclusive`` (it straddles the limit), ``measured`` (a figure shown, not bounded) or ``not_measured``
        (no data in this session: say why in `note` and what measures it in `measured_by`, never a pass). Set
        `higher_is_worse=False` on a goal whose larger values are better, so `autointel report ROOT --goals` keeps
        the worse of two equal verdicts from different sessions. Ids should be unique across providers.

    The rows of every implementation are concatenated in the order pluggy calls them and land in index.json, each
    bench's results.json, summary.md and report.html, <report-root>/summary.md and the terminal summary. Goals never
    change the exit status; a provider that raises, or returns a row with another verdict, is an error of the
    session (exit status 1). With no implementation the session has no goals and no goals table.
    """


@pytest.hookspec(firstresult=True)
def pytest_autointel_flag_space(config: pytest.Config) -> FlagSpace | None:
    """The flags of the pipeline this project benchmarks, so `--autointel-combos` and `--autointel-engines` are
    read against them (`matrix` spans its factors) and `autointel_combo` parametrises over its combinations.

    Return an `autointel.model.combo.FlagSpace`; the first non-None answer wins. Without an implementation the
    flags are autointel's own. A bench whose pipeline (`autointel.bench.pipeline.Pipeline`) has other flags than
    these reads the same option text against its own flags.
    """
