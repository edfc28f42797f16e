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
then written into index.json and every bench's results.json. At session end the performance goals
(`autointel.bench.goals`) are judged over every bench and measurement of the pytest session and land
in index.json, each results.json / summary.md / report.html, <report-root>/summary.md and the terminal;
they never change the exit status.

At session end the fail-on conditions are evaluated; if one holds the exit status becomes 1, with no
traceback and pytest's own summary line intact. All state lives in `config.stash`.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from autointel.atomic import atomic_write_text
from autointel.bench.options import (
    MIN_HISTORY_K,
    BenchOptions,
    new_run_id,
    new_seed,
    parse_combos,
    parse_engines,
    parse_fail_on,
)
from autointel.bench.samples import RunSample
from autointel.bench.schedule import Cell, cells_for, interleave
from autointel.measurement.redact import redact
from autointel.settings import FLAG_ENV, MASTER_FLAG_ENV, Settings, SettingsError, load_settings, parse_depth

if TYPE_CHECKING:
    from autointel.bench.session import BenchSession

# (option suffix, help, ini type, ini default)
_OPTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("combos", "matrix (every parallel-flag combination) | comma list like all,analysis+fact_checking,"
     "all+streaming_transcription (baseline always run)", "string", "matrix"),
    ("engines", "comma list of crew,pipeline", "string", "pipeline"),
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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autointel", "autointel flag-matrix benchmarks")
    for name, help_text, kind, default in _OPTIONS:
        group.addoption(f"--autointel-{name}", dest=_dest(name), default=None, help=help_text)
        parser.addini(_dest(name), help_text, type=kind, default=default)  # type: ignore[arg-type]
    for name, help_text in _SWITCHES:
        group.addoption(f"--autointel-{name}", dest=_dest(name), action="store_const", const=True,
                        default=None, help=help_text)
        parser.addini(_dest(name), help_text, type="bool", default=False)


def _value(config: pytest.Config, name: str) -> Any:
    value = config.getoption(_dest(name))
    return config.getini(_dest(name)) if value is None else value


def build_options(config: pytest.Config) -> BenchOptions:
    def text(name: str) -> str:
        return str(_value(config, name)).strip()

    report_dir, history, seed = text("report-dir"), text("history"), text("seed")
    return BenchOptions(
        combos=parse_combos(text("combos")),
        engines=parse_engines(text("engines")),
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


@dataclass
class PluginState:
    options: BenchOptions
    run_id: str
    report_root: Path
    command_line: list[str]
    rootpath: Path
    pending: dict[str, BenchSession] = field(default_factory=dict)  # pedantic path, finalised at the end
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)  # add_measurement, by name
    goals: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exit_note: str | None = None


STATE_KEY = pytest.StashKey[PluginState]()
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
        options = build_options(config)
    except (SettingsError, ValueError) as exc:
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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "bench"


def _collect() -> None:
    gc.collect()


class AutointelBench:
    """What the `autointel_bench` fixture gives a test."""

    def __init__(self, state: PluginState, request: pytest.FixtureRequest) -> None:
        self.state = state
        self.request = request

    @property
    def options(self) -> BenchOptions:
        return self.state.options

    @property
    def cells(self) -> tuple[Cell, ...]:
        return cells_for(self.options.combos, self.options.engines)

    def _prepare(
        self, source_or_target: object, depth: str = "standard", source: str | None = None, **overrides: Any
    ) -> tuple[Any, str, Settings]:
        """(target, source, base settings). A string/Path is a media source for the real engine; anything
        else is a target (callable like run_engine, or a TargetRef). Flag variables in the environment are
        dropped: each cell sets its own flags."""
        from autointel.bench.measure import TargetRef

        target: Any = None
        if isinstance(source_or_target, TargetRef) or callable(source_or_target):
            target, src = source_or_target, source or "synthetic"
        else:
            src = str(source_or_target)
        env = {k: v for k, v in os.environ.items() if k not in FLAG_ENV.values() and k != MASTER_FLAG_ENV}
        profile = self.options.llm_profile
        return target, src, load_settings(env, depth=parse_depth(depth), llm_profile=profile, **overrides)

    def session(
        self, name: str, source_or_target: object, *, resources: Any = None, combos: str | None = None,
        engines: str | None = None, iterations: int | None = None, **kwargs: Any
    ) -> BenchSession:
        """A BenchSession for the selected matrix, reporting into <report-dir>/<name>. `combos`/`engines`
        (option syntax) and `iterations` override the command line's for this bench only, e.g. a bench that
        needs one cell, or more runs of a short, noisy one."""
        from autointel.bench.session import BenchSession

        target, src, settings = self._prepare(source_or_target, **kwargs)
        options = self.options
        if combos is not None or engines is not None:
            options = dataclasses.replace(
                options, combos=options.combos if combos is None else parse_combos(combos),
                engines=options.engines if engines is None else parse_engines(engines))
        if iterations is not None:
            if iterations < 1:
                raise ValueError(f"autointel: iterations must be >= 1, got {iterations}")
            options = dataclasses.replace(options, iterations=iterations)
        return BenchSession(
            options, source=src, settings=settings, report_dir=self.state.report_root / name,
            target=target, resources=resources, name=name, run_id=self.state.run_id,
            command_line=self.state.command_line, root=self.state.rootpath,
        )

    def _group_name(self) -> str:
        """Test function name plus any parameters other than autointel_combo: one session per group."""
        node = self.request.node
        callspec = getattr(node, "callspec", None)
        params = {k: v for k, v in (callspec.params if callspec else {}).items() if k != "autointel_combo"}
        base = str(getattr(node, "originalname", node.name))
        return base + ("[" + "-".join(f"{v}" for v in params.values()) + "]" if params else "")

    def _unique(self, name: str) -> str:
        taken = set(self.state.results) | set(self.state.pending)
        return next(n for n in itertools.chain([name], (f"{name}-{i}" for i in itertools.count(2)))
                    if n not in taken)

    def run(self, source_or_target: object, *, name: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Run the whole selected matrix, interleaved; returns (and records) the session's results."""
        name = self._unique(_slug(name or self.request.node.name))
        session = self.session(name, source_or_target, **kwargs)
        session.run_schedule()
        session.run_diagnostics()
        return self.finish(session)

    def run_together(self, benches: Sequence[tuple[str, object, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
        """Several benches, each (name, source or target, session keyword arguments), whose runs alternate
        (`schedule.interleave`): for benches compared with each other, so the machine's slow spells hit each
        alike. Returns (and records) each one's results by name."""
        names = [_slug(name) for name, _, _ in benches]
        if len(set(names)) != len(names):
            raise ValueError(f"autointel: run_together needs distinct bench names, got {names}")
        sessions = [self.session(self._unique(_slug(name)), target, **kwargs) for name, target, kwargs in benches]
        for index, slot in interleave([s.schedule() for s in sessions]):
            sessions[index].measure_one(slot.cell, warmup=slot.warmup)
        for session in sessions:
            session.run_diagnostics()
        return {session.name: self.finish(session) for session in sessions}

    def finish(self, session: BenchSession) -> dict[str, Any]:
        """Finalise a session this test drove itself; its results join the report and the goals."""
        results = session.finalize()
        self.state.results[session.name] = results
        return results

    def add_measurement(self, name: str, values: float | Sequence[float], *, unit: str = "s", **info: Any) -> None:
        """Record named extra samples (e.g. harness overhead) into this pytest session: appended to
        <report-root>/measurements.jsonl at once (a killed session keeps them), then written into
        index.json and every bench's results.json, where the goals read them (`autointel.bench.goals`)."""
        new = [float(values)] if isinstance(values, (int, float)) else [float(v) for v in values]
        if not name or not new or not all(math.isfinite(v) for v in new):
            raise ValueError(f"autointel: measurement {name!r} needs a name and finite values, got {new}")
        entry = self.state.measurements.setdefault(name, {"name": name, "unit": unit, "values": [], "tests": [],
                                                          "info": {}})
        if entry["unit"] != unit:
            raise ValueError(f"autointel: measurement {name!r} is in {entry['unit']}, not {unit}")
        entry["values"].extend(new)
        entry["info"].update(info)
        if self.request.node.nodeid not in entry["tests"]:
            entry["tests"].append(self.request.node.nodeid)
        from autointel.bench.report import append_jsonl

        append_jsonl(self.state.report_root / "measurements.jsonl",
                     {"name": name, "unit": unit, "values": new, "test": self.request.node.nodeid, "info": info})

    def pedantic(
        self, benchmark: Any, cell: Cell, source_or_target: object, *, name: str | None = None, **kwargs: Any
    ) -> list[RunSample]:
        """Measure one combination through pytest-benchmark (`benchmark` may be None: measured directly)."""
        name = _slug(name or self._group_name())
        session = self.state.pending.get(name)
        if session is None:
            session = self.state.pending[name] = self.session(self._unique(name), source_or_target, **kwargs)
        elif (session.source, session.settings) != self._prepare(
            source_or_target, **{k: v for k, v in kwargs.items() if k != "resources"}
        )[1:]:
            raise ValueError(f"autointel: benchmark {name!r} was started with another source or settings; "
                             "pass a distinct name= per configuration")
        opts, calls = self.options, itertools.count()
        finished: list[RunSample] = []

        def one() -> None:  # the only thing on pytest-benchmark's clock
            finished.append(session.measure_one(cell, warmup=next(calls) < opts.warmup,
                                                collect_garbage=False, record=False))

        def persist() -> None:
            session.record(finished.pop())

        before = len(session.samples)
        if benchmark is None or getattr(benchmark, "disabled", False):
            for _ in range(opts.warmup + opts.iterations):
                _collect()
                one()
                persist()
        else:
            benchmark.pedantic(one, setup=_collect, teardown=persist, rounds=opts.iterations, iterations=1,
                               warmup_rounds=opts.warmup)
        own = [s for s in session.samples[before:] if not s.warmup]
        if benchmark is not None:
            _annotate(benchmark, cell, own)
        return own


def _annotate(benchmark: Any, cell: Cell, own: list[RunSample]) -> None:
    phases: dict[str, list[float]] = {}
    for s in own:
        for phase, rec in s.phases.items():
            phases.setdefault(phase, []).append(rec["wall_s"])
    bad = [s for s in own if not s.counts]
    benchmark.extra_info.update({
        "autointel_combo": cell.combo, "autointel_engine": cell.engine,
        "flags": own[0].flags_requested if own else {},
        "fingerprint": own[0].fingerprint_expected if own else None,
        "e2e_s": [s.e2e_s for s in own], "phases_wall_s": phases,
        "failed_runs": sum(s.status == "failed" for s in own),
        "invalid_runs": sum(s.status == "ok" and not s.valid for s in own),
    })
    if bad:  # pytest-benchmark would otherwise publish the crashed rounds' times as a valid result
        benchmark.has_error = True
        benchmark.extra_info["autointel_excluded"] = f"{len(bad)} of {len(own)} rounds failed or were invalid"


@pytest.fixture
def autointel_bench(request: pytest.FixtureRequest) -> AutointelBench:
    return AutointelBench(request.config.stash[STATE_KEY], request)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    for name, bench in list(state.pending.items()):
        try:
            state.results[bench.name] = bench.finalize()
        except Exception as exc:  # reported, and it fails the session: a missing verdict is not a pass
            state.errors.append(f"{name}: could not finalise: {type(exc).__name__}: {exc}")
    state.pending.clear()
    if not (state.results or state.errors or state.measurements):
        return
    _finish_reports(state)
    _write_index(state)
    triggered = {n: r["banner"]["triggered"] for n, r in state.results.items() if r["banner"]["triggered"]}
    if not (triggered or state.errors):
        return
    parts = [f"{n}: {', '.join(t)}" for n, t in triggered.items()] + state.errors
    state.exit_note = "; ".join(parts)
    if session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _finish_reports(state: PluginState) -> None:
    """Session-wide views every bench report gets: cost and memory against media length (benches on
    several lengths), the goals over all benches and measurements, and the measurements themselves.
    Reports whose content changed are rewritten; <report-root>/summary.md lists the goals."""
    from autointel.bench.goals import evaluate_goals
    from autointel.bench.lengths import cost_model, cost_vs_length, memory_vs_length
    from autointel.bench.report import clean, write_reports
    from autointel.rendering.markdown import render_session_markdown

    rows = cost_vs_length(state.results)
    lengths = len({r["media_duration_s"] for r in rows}) >= 2
    memory_rows = clean(memory_vs_length(state.results, state.options.seed)) if lengths else []
    model_rows = clean(cost_model(state.results, state.options.seed)) if lengths else []
    measurements = redact(clean([state.measurements[k] for k in sorted(state.measurements)]))
    for results in state.results.values():
        if lengths:
            results["cost_vs_length"], results["memory_vs_length"] = rows, memory_rows
            results["cost_model"] = model_rows
    state.goals = redact(clean(evaluate_goals(state.results, state.measurements, seed=state.options.seed)))
    for results in state.results.values():
        changed = lengths or bool(measurements) or results.get("goals") != state.goals
        results["goals"] = state.goals
        if measurements:
            results["measurements"] = measurements
        if changed:
            write_reports(results, Path(results["session"]["report_dir"]))
    atomic_write_text(state.report_root / "summary.md", render_session_markdown(_index(state)))


def _index(state: PluginState) -> dict[str, Any]:
    from autointel.bench.report import session_index

    return session_index(state.run_id, state.command_line, state.results, state.goals,
                         [state.measurements[k] for k in sorted(state.measurements)], state.errors)


def _write_index(state: PluginState) -> None:
    from autointel.bench.report import write_json_atomic

    write_json_atomic(state.report_root / "index.json", _index(state))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not (state.results or state.errors or state.measurements):
        return
    from autointel.bench.report import format_table, table_rows
    from autointel.rendering.goals import terminal_lines
    from autointel.stats import min_runs_for_median_ci

    tr = terminalreporter
    write: Callable[..., None] = tr.write_line
    tr.section("autointel benchmark")
    for name, results in state.results.items():
        banner = results["banner"]
        write(f"{name}: {banner['verdict'].upper()}: {banner['headline']}",
              red=banner["verdict"] == "fail", green=banner["verdict"] == "pass")
        for line in format_table(table_rows(results)):
            write("  " + line)
        for reason in banner["reasons"]:
            write(f"  ! {reason}")
        write(f"  report: {results['session']['report_dir']}")
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
