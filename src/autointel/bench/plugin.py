"""pytest plugin (entry point `autointel`): flag-matrix benchmarks that never report a lie.

Two ways to benchmark:
* `autointel_bench.run(source_or_target, depth=...)` (preferred): the session drives the interleaved
  schedule itself (warmups first, then randomised blocks over every combination x engine), writes
  `<report-dir>/<bench>/{raw_samples.jsonl,results.json,summary.md}` and returns the results.
* `@pytest.mark.autointel_matrix` + the `autointel_combo` parameter + pytest-benchmark's `benchmark`:
  `autointel_bench.pedantic(benchmark, autointel_combo, target, depth=...)` runs that combination's
  rounds through `benchmark.pedantic(rounds=iterations, iterations=1, warmup_rounds=warmup)`, so
  --benchmark-autosave/--benchmark-compare/--benchmark-json work. Combinations then run in test order
  (not interleaved). Every round is also recorded by one shared BenchSession per test function, which
  is judged at session end like the fixture path. pytest-benchmark's time is our measured call plus
  the per-run bookkeeping of `measure_run` (fingerprint, RSS sampler start/stop, digest: about
  1 ms); gc.collect runs in pedantic's `setup` and the fsynced append in its `teardown`, off the clock.
  With process isolation it also includes the worker's start-up (results.json's e2e_s does not).
  A combination with a failed or invalid round is marked `has_error`: pytest-benchmark still prints
  it in its table but leaves it out of its JSON (autosave, --benchmark-json) and so out of compares.

Extra figures that are not runs of a matrix (the harness's own overhead, CLI latency) go through
`autointel_bench.add_measurement(name, values)`: appended to <report-root>/measurements.jsonl at once,
then written into index.json and every bench's results.json. The plugin has no performance goals of its own: at
session end it asks the project's `pytest_autointel_goals` implementations (`autointel.bench.hookspecs`, e.g. in a
conftest.py) to judge theirs over every bench and measurement of the pytest session; their rows land in index.json,
each results.json / summary.md / report.html, <report-root>/summary.md and the terminal, and never change the exit
status. Without an implementation there is no goals table.

At session end the fail-on conditions are evaluated; if one holds the exit status becomes 1, with no
traceback and pytest's own summary line intact. All state lives in `config.stash`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.finish import finalize_pending, finish_reports, write_index
from autointel.bench.fixture import AutointelBench
from autointel.bench.options import (
    MIN_HISTORY_K,
    BenchOptions,
    new_run_id,
    new_seed,
    parse_combos,
    parse_engines,
    parse_fail_on,
)
from autointel.bench.plugin_state import STATE_KEY, PluginState
from autointel.bench.schedule import cells_for
from autointel.errors import SettingsError
from autointel.model.combo import ComboError, FlagSpace
from autointel.settings import AUTOINTEL_FLAGS, ENGINES

# (option suffix, help, ini type, ini default)
_OPTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("combos", "matrix (every parallel-flag combination) | comma list like all,analysis+fact_checking,"
     "all+streaming_transcription (baseline always run)", "string", "matrix"),
    ("engines", f"comma list of the pipeline's engines (autointel: {','.join(ENGINES)})", "string",
     "the pipeline's reference engine (autointel: pipeline)"),
    ("iterations", "measured runs per combination and engine", "string", "10"),
    ("warmup", "warmup runs per combination and engine (recorded, never in statistics)", "string", "1"),
    ("llm-profile", "LLM latency profile for the offline LLM", "string", "instant"),
    ("report-dir", "where reports go (default reports/<run id>)", "string", ""),
    ("target-s", "end-to-end target in seconds", "string", "360"),
    ("memory-budget", "allowed peak RSS growth vs baseline (0.10 = +10 percent)", "string", "0.10"),
    ("threshold", "smallest relative change that counts as a regression/improvement", "string", "0.05"),
    ("isolate", "none | process (a fresh worker process per run: honest peak RSS)", "string", "none"),
    ("history", "JSONL history file; the baseline is compared with the last K sessions", "string", ""),
    ("history-k", f"sessions of history to compare with (at least {MIN_HISTORY_K})", "string", str(MIN_HISTORY_K)),
    ("fail-on", "exit 1 when any holds: target,memory,regression,invalid,failed (or none)", "string",
     "invalid,failed,regression"),
    ("seed", "seed of the run order and the bootstraps (default: random, recorded)", "string", ""),
    ("run-timeout", "seconds before an isolated worker run is killed and counted as failed", "string",
     "3600"),
)
_SWITCHES = (
    ("memray", "one extra memray-tracked run per combination (sequential: one tracker per process)"),
    ("profile", "one extra pyinstrument-profiled run per combination (HTML)"),
    ("heap", "one extra tracemalloc run per combination (whole-run Python-heap peak)"),
)


def _dest(name: str) -> str:
    return "autointel_" + name.replace("-", "_")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from autointel.bench import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autointel", "autointel flag-matrix benchmarks")
    for name, help_text, kind, default in _OPTIONS:
        shown = f"{help_text} (default: {default or 'none'})"
        group.addoption(f"--autointel-{name}", dest=_dest(name), default=None, help=shown)
        parser.addini(_dest(name), shown, type=kind, default=default)  # type: ignore[arg-type]
    for name, help_text in _SWITCHES:
        group.addoption(f"--autointel-{name}", dest=_dest(name), action="store_const", const=True,
                        default=None, help=help_text)
        parser.addini(_dest(name), help_text, type="bool", default=False)


def _default(name: str) -> str:
    return next(default for option, _, _, default in _OPTIONS if option == name)


def _value(config: pytest.Config, name: str) -> Any:
    value = config.getoption(_dest(name))
    return config.getini(_dest(name)) if value is None else value


def flag_space(config: pytest.Config) -> FlagSpace:
    """The benchmarked pipeline's flags: a `pytest_autointel_flag_space` answer, else autointel's."""
    space = config.hook.pytest_autointel_flag_space(config=config)
    if space is not None and not isinstance(space, FlagSpace):
        raise SettingsError(f"pytest_autointel_flag_space returned {type(space).__name__}, not a FlagSpace")
    return space or AUTOINTEL_FLAGS


def build_options(config: pytest.Config, space: FlagSpace = AUTOINTEL_FLAGS) -> BenchOptions:
    def text(name: str) -> str:
        return str(_value(config, name)).strip()

    report_dir, history, seed = text("report-dir"), text("history"), text("seed")
    engines = text("engines")
    if engines == _default("engines"):
        engines = space.reference_engine or space.engines[0]
    return BenchOptions(
        combos=parse_combos(text("combos"), space),
        combo_spec=text("combos"),
        engines=parse_engines(engines),
        iterations=int(text("iterations")),
        warmup=int(text("warmup")),
        llm_profile=text("llm-profile"),
        report_dir=Path(report_dir) if report_dir else None,
        target_s=float(text("target-s")),
        memory_budget=float(text("memory-budget")),
        threshold=float(text("threshold")),
        isolate=text("isolate").lower(),
        memray=bool(_value(config, "memray")),
        profile=bool(_value(config, "profile")),
        heap=bool(_value(config, "heap")),
        history=Path(history) if history else None,
        history_k=int(text("history-k")),
        fail_on=parse_fail_on(text("fail-on")),
        seed=int(seed) if seed else new_seed(),
        run_timeout_s=float(text("run-timeout")),
    )


REPRODUCING_ENV = ("PYTHONHASHSEED",)  # besides AUTOINTEL_BENCH_*, what changes a session's work


def reproducing_command(config: pytest.Config) -> list[str]:
    """The command a reader can paste: the bench environment variables, then `pytest` and its arguments
    (sys.argv would name pytest's __main__.py under `python -m pytest`)."""
    env = [f"{k}={v}" for k, v in sorted(os.environ.items())
           if k in REPRODUCING_ENV or k.startswith("AUTOINTEL_BENCH_")]
    return [*env, "pytest", *config.invocation_params.args]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "autointel_matrix: benchmark run once per selected combination x engine (autointel_combo)"
    )
    try:
        options = build_options(config, flag_space(config))
    except (SettingsError, ComboError, ValueError) as exc:
        raise pytest.UsageError(f"autointel: {exc}") from None
    run_id = new_run_id()
    root = options.report_dir or config.rootpath / "reports" / run_id
    config.stash[STATE_KEY] = PluginState(options, run_id, root, reproducing_command(config), config.rootpath)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "autointel_combo" not in metafunc.fixturenames:
        return
    options = metafunc.config.stash[STATE_KEY].options
    cells = cells_for(options.combos, options.engines)
    metafunc.parametrize("autointel_combo", cells, ids=[c.id for c in cells])


@pytest.fixture
def autointel_bench(request: pytest.FixtureRequest) -> AutointelBench:
    return AutointelBench(request.config.stash[STATE_KEY], request)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    finalize_pending(state)
    if not (state.results or state.errors or state.measurements):
        return
    finish_reports(state, session.config.hook.pytest_autointel_goals)
    write_index(state)
    triggered = {n: r.banner.triggered for n, r in state.results.items() if r.banner.triggered}
    if not (triggered or state.errors):
        return
    parts = [f"{n}: {', '.join(t)}" for n, t in triggered.items()] + state.errors
    state.exit_note = "; ".join(parts)
    if session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not (state.results or state.errors or state.measurements):
        return
    from autointel.bench.report import format_table, table_rows
    from autointel.rendering.goals import terminal_lines
    from autointel.rendering.verdict import check_line, verdict_rule
    from autointel.stats import min_runs_for_median_ci

    tr = terminalreporter
    write: Callable[..., None] = tr.write_line
    tr.section("autointel benchmark")
    for name, results in state.results.items():
        banner = results.banner
        write(f"{name}: {banner.verdict.upper()}: {banner.headline}", red=banner.verdict == "fail",
              green=banner.verdict == "pass", yellow=banner.verdict == "inconclusive")
        for line in format_table(table_rows(results)):
            write("  " + line)
        write("  " + verdict_rule(banner.verdict, banner.triggered, banner.fail_on))
        for check in banner.checks:
            if check.state != "pass":
                write(f"  ! {check_line(check)}", red=check.state == "fail" and check.gates)
        write(f"  report: {results.session.report_dir}")
    if state.results and state.options.iterations < min_runs_for_median_ci():
        write(f"autointel: {state.options.iterations} measured run(s) per cell: a 95% CI of a median needs at "
              f"least {min_runs_for_median_ci()}, so the CIs above are infinite and their verdicts inconclusive",
              yellow=True)
    if state.goals:
        write("performance goals (this pytest session; not_measured = no data here, see summary.md):")
        for line in terminal_lines(state.goals):
            write("  " + line)
    for error in state.errors:
        write(f"autointel: {error}", red=True)
    if state.exit_note:
        write(f"autointel: exit status 1: fail-on condition(s) held: {state.exit_note}", red=True)
    if state.results or state.measurements:
        write(f"autointel: index: {json.dumps(str(state.report_root / 'index.json'))}")
