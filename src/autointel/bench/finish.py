"""Session end: the views across every bench of the pytest session (cost and memory against media length, the
performance goals the project's `pytest_autointel_goals` hooks give, the extra measurements), written into each
bench's reports and the session's index."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from autointel.atomic import atomic_write_text
from autointel.bench.plugin_state import PluginState
from autointel.measurement.redact import redact

if TYPE_CHECKING:
    from autointel.model.bench_results import GoalRow

# `config.hook.pytest_autointel_goals`: called with keywords, returns one result per implementation.
GoalsHook = Callable[..., Sequence["Sequence[GoalRow] | None"]]


def finalize_pending(state: PluginState) -> None:
    """Judge the benches the pedantic path left open; one that cannot be judged is an error of the session
    (a missing verdict is not a pass)."""
    for name, bench in list(state.pending.items()):
        try:
            state.results[bench.name] = bench.finalize()
        except Exception as exc:
            state.errors.append(f"{name}: could not finalise: {type(exc).__name__}: {exc}")
    state.pending.clear()


def collect_goals(state: PluginState, goals_hook: GoalsHook) -> tuple[GoalRow, ...]:
    """Every provider's goal rows, concatenated in the order pluggy calls them, in their JSON form and redacted like
    every report. The plugin judges no goals itself; a provider that raises or speaks another verdict makes the
    session's exit status 1 (a goal that cannot be judged is not a pass), the others' rows are still shown."""
    from autointel.bench.analysis.goal_merge import VERDICTS
    from autointel.model.bench_results import goal_rows
    from autointel.model.serialize import json_safe

    try:
        provided = goals_hook(benches=MappingProxyType(dict(state.results)),
                              measurements=copy.deepcopy(state.measurements), seed=state.options.seed)
        rows = [_goal_dict(row) for found in provided if found is not None for row in found]
        goals = goal_rows(redact(json_safe(rows)))
    except Exception as exc:
        state.errors.append(f"goals: a pytest_autointel_goals implementation failed: {type(exc).__name__}: {exc}")
        return ()
    unknown = [f"{g.id}: {g.verdict!r}" for g in goals if g.verdict not in VERDICTS]
    if unknown:
        state.errors.append(f"goals: verdicts must be one of {', '.join(VERDICTS)}; got {'; '.join(unknown)}")
    return goals


def _goal_dict(row: object) -> object:
    """A GoalRow (or its JSON object) as the JSON object `goal_rows` validates."""
    from autointel.model.bench_results import GoalRow

    if isinstance(row, GoalRow):
        return dataclasses.asdict(row)
    if isinstance(row, Mapping):
        return dict(row)
    raise TypeError(f"a goal must be a GoalRow, not {type(row).__name__}")


def finish_reports(state: PluginState, goals_hook: GoalsHook) -> None:
    """Session-wide views every bench report gets: cost and memory against media length (benches on
    several lengths), the goals over all benches and measurements (`goals_hook`, the plugin's
    `config.hook.pytest_autointel_goals`), and the measurements themselves. Reports whose content changed are
    rewritten; <report-root>/summary.md lists the goals."""
    from autointel.bench.analysis.lengths import cost_model, cost_vs_length, memory_vs_length
    from autointel.bench.report import write_reports
    from autointel.model.bench_results import measurement_rows
    from autointel.model.serialize import json_safe
    from autointel.rendering.markdown import render_session_markdown

    rows = cost_vs_length(state.results)
    lengths = len({r.media_duration_s for r in rows}) >= 2
    if lengths:
        memory = tuple(memory_vs_length(state.results, state.options.seed))
        model = tuple(cost_model(state.results, state.options.seed))
        state.results = {n: dataclasses.replace(r, cost_vs_length=tuple(rows), memory_vs_length=memory,
                                                cost_model=model) for n, r in state.results.items()}
    measured = measurement_rows(redact(json_safe([state.measurements[k] for k in sorted(state.measurements)])))
    state.goals = collect_goals(state, goals_hook)
    for name, results in state.results.items():
        changed = lengths or bool(measured) or results.goals != state.goals
        results = dataclasses.replace(results, goals=state.goals, measurements=measured or results.measurements)
        state.results[name] = results
        if changed:
            write_reports(results, Path(results.session.report_dir))
    atomic_write_text(state.report_root / "summary.md", render_session_markdown(session_index_of(state)))


def session_index_of(state: PluginState) -> dict[str, Any]:
    from autointel.bench.report import session_index

    return session_index(state.run_id, state.command_line, state.results, state.goals,
                         [state.measurements[k] for k in sorted(state.measurements)], state.errors)


def write_index(state: PluginState) -> None:
    from autointel.bench.report import write_json_atomic

    write_json_atomic(state.report_root / "index.json", session_index_of(state))
