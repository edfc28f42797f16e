"""`AutointelBench`, what the `autointel_bench` fixture gives a test: benches run interleaved by the session
(`run`, `run_together`), benches driven through pytest-benchmark (`pedantic`), and extra measurements."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from autointel.bench.options import BenchOptions, parse_combos, parse_engines
from autointel.bench.pipeline import Pipeline
from autointel.bench.plugin_state import PluginState
from autointel.bench.samples import RunSample
from autointel.bench.schedule import Cell, cells_for, interleave
from autointel.settings import FLAG_ENV, MASTER_FLAG_ENV, Settings, load_settings, parse_depth

if TYPE_CHECKING:
    from autointel.bench.session import BenchSession
    from autointel.model.bench_results import SessionResults


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
        """(target, source, base settings) for autointel's pipeline. A string/Path is a media source for the real
        engine; anything else is a target (callable like run_engine, or a TargetRef). Flag variables in the
        environment are dropped: each cell sets its own flags."""
        from autointel.bench.autointel_pipeline import TargetRef

        target: Any = None
        if isinstance(source_or_target, TargetRef) or callable(source_or_target):
            target, src = source_or_target, source or "synthetic"
        else:
            src = str(source_or_target)
        env = {k: v for k, v in os.environ.items() if k not in FLAG_ENV.values() and k != MASTER_FLAG_ENV}
        profile = self.options.llm_profile
        return target, src, load_settings(env, depth=parse_depth(depth), llm_profile=profile, **overrides)

    def _pipeline(self, source_or_target: object, resources: Any = None, **kwargs: Any) -> tuple[Pipeline, str]:
        """(pipeline, source): a `Pipeline` as given (its source from `source=`), else autointel's."""
        if isinstance(source_or_target, Pipeline):
            source = kwargs.pop("source", None)
            if kwargs or resources is not None:
                raise ValueError(f"autointel: {sorted(kwargs) or ['resources']} configure autointel's pipeline, "
                                 "not another one")
            return source_or_target, str(source or "-")
        from autointel.bench.autointel_pipeline import AutointelPipeline

        target, src, settings = self._prepare(source_or_target, **kwargs)
        return AutointelPipeline(settings, target, resources), src

    def session(
        self, name: str, source_or_target: object, *, resources: Any = None, combos: str | None = None,
        engines: str | None = None, iterations: int | None = None, **kwargs: Any
    ) -> BenchSession:
        """A BenchSession for the selected matrix, reporting into <report-dir>/<name>. `source_or_target`: a
        `Pipeline`, or a media source / target for autointel's (`depth=` and other settings as keywords).
        `combos`/`engines` (option syntax) and `iterations` override the command line's for this bench only,
        e.g. a bench that needs one cell, or more runs of a short, noisy one."""
        from autointel.bench.session import BenchSession

        pipeline, src = self._pipeline(source_or_target, resources, **kwargs)
        options = self.options.for_space(pipeline.space)
        if combos is not None or engines is not None:
            options = dataclasses.replace(
                options, combos=options.combos if combos is None else parse_combos(combos, pipeline.space),
                engines=options.engines if engines is None else parse_engines(engines))
        if iterations is not None:
            if iterations < 1:
                raise ValueError(f"autointel: iterations must be >= 1, got {iterations}")
            options = dataclasses.replace(options, iterations=iterations)
        return BenchSession(
            options, source=src, pipeline=pipeline, report_dir=self.state.report_root / name, name=name,
            run_id=self.state.run_id, command_line=self.state.command_line, root=self.state.rootpath,
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

    def run(self, source_or_target: object, *, name: str | None = None, **kwargs: Any) -> SessionResults:
        """Run the whole selected matrix, interleaved; returns (and records) the session's results."""
        name = self._unique(_slug(name or self.request.node.name))
        session = self.session(name, source_or_target, **kwargs)
        session.run_schedule()
        session.run_diagnostics()
        return self.finish(session)

    def run_together(self, benches: Sequence[tuple[str, object, Mapping[str, Any]]]) -> dict[str, SessionResults]:
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

    def finish(self, session: BenchSession) -> SessionResults:
        """Finalise a session this test drove itself; its results join the report and the goals."""
        results = session.finalize()
        self.state.results[session.name] = results
        return results

    def add_measurement(self, name: str, values: float | Sequence[float], *, unit: str = "s", **info: Any) -> None:
        """Record named extra samples (e.g. harness overhead) into this pytest session: appended to
        <report-root>/measurements.jsonl at once (a killed session keeps them), then written into
        index.json and every bench's results.json; goal providers get them as `measurements` (`hookspecs`)."""
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
        elif _configuration(session.pipeline, session.source) != _configuration(
                *self._pipeline(source_or_target, **{k: v for k, v in kwargs.items() if k != "resources"})):
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


def _configuration(pipeline: Pipeline, source: str) -> tuple[str, dict[str, Any], str]:
    return source, dict(pipeline.describe()), type(pipeline).__name__


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
