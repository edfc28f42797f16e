"""A benchmark session: drive the schedule, persist every sample at once, then judge via autointel.stats.

The session benchmarks one `Pipeline` (autointel's engines unless it is given another). Every finished sample
is appended to raw_samples.jsonl (flushed and fsynced) before the next run starts, so a killed session keeps
every finished run. results.json and summary.md are written at the end, atomically. With isolate="process"
each run is a fresh worker process that rebuilds the pipeline from its `ref()`; autointel's pipeline then
loads its models before the clock starts when the session shares models (`resources`), so e2e excludes model
loading in both modes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autointel.bench.analysis.history import append_history, history_check, load_history
from autointel.bench.analysis.results import build_results
from autointel.bench.measure import Diagnostics, RunSpec, measure
from autointel.bench.options import BenchOptions, new_run_id
from autointel.bench.pipeline import Pipeline, PipelineRef
from autointel.bench.report import environment, write_reports
from autointel.bench.samples import RunSample, sample_to_json
from autointel.bench.schedule import Cell, Slot, build_schedule, cells_for
from autointel.bench.worker import WorkerRun, measure_in_subprocess
from autointel.model.bench_results import HistoryCheck, SessionInfo, SessionResults
from autointel.model.serialize import json_safe
from autointel.stats.seeds import derive_seed


class BenchSession:
    def __init__(
        self,
        options: BenchOptions,
        *,
        source: str,
        report_dir: Path,
        pipeline: Pipeline,
        name: str = "bench",
        run_id: str | None = None,
        command_line: list[str] | None = None,
        root: Path | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.options = options.for_space(pipeline.space)
        self.source = source
        self.report_dir = report_dir
        self.name = name
        self.run_id = run_id or new_run_id()
        self.command_line = command_line if command_line is not None else list(sys.argv)
        self.root = root or Path.cwd()
        self.samples: list[RunSample] = []
        self.started_at = datetime.now(UTC).isoformat()
        make_ref: Callable[[], PipelineRef | None] | None = getattr(pipeline, "ref", None)
        self._ref = make_ref() if make_ref is not None else None
        if self.options.isolate == "process" and self._ref is None:
            raise ValueError("process isolation needs a pipeline a worker can rebuild (its ref())")
        self._counters: dict[tuple[Cell, bool | str], int] = {}
        self._order = 0
        report_dir.mkdir(parents=True, exist_ok=True)
        self.raw_path = report_dir / "raw_samples.jsonl"

    @property
    def cells(self) -> tuple[Cell, ...]:
        return cells_for(self.options.combos, self.options.engines)

    def run_seed(self, spec: RunSpec) -> int:
        """The pipeline's seed for one run (autointel: the provider profile's latency draws): new for each
        iteration, the same for every cell of it (paired), so the comparisons see that variation instead of one
        replayed sequence."""
        return derive_seed(self.options.seed, "llm-latency", "warmup" if spec.warmup else "measure", spec.iteration)

    def record(self, sample: RunSample) -> None:
        """Append one sample durably before anything else runs."""
        self.samples.append(sample)
        with self.raw_path.open("a", encoding="utf-8") as fh:
            fh.write(sample_to_json(sample) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _measure(
        self, cell: Cell, spec: RunSpec, diagnostics: Diagnostics, collect_garbage: bool, record: bool = True
    ) -> RunSample:
        seed = self.run_seed(spec)
        if self.options.isolate == "process":
            assert self._ref is not None
            job = WorkerRun(self._ref, self.source, cell.flags, cell.engine, seed, spec, diagnostics)
            sample = measure_in_subprocess(job, self.options.run_timeout_s)
        else:
            run = self.pipeline.prepare(self.source, cell.flags, cell.engine, seed)
            sample = measure(run, spec, cell.flags.values(), diagnostics=diagnostics,
                             collect_garbage=collect_garbage)
        if record:
            self.record(sample)
        return sample

    def measure_one(
        self, cell: Cell, *, warmup: bool = False, collect_garbage: bool = True, record: bool = True
    ) -> RunSample:
        """One more run of `cell`. record=False leaves `record(sample)` to the caller (the pedantic path
        records in pytest-benchmark's teardown, so the fsync stays off its clock)."""
        iteration = self._counters.get((cell, warmup), 0)
        self._counters[(cell, warmup)] = iteration + 1
        spec = RunSpec(self.run_id, cell.combo, cell.engine, iteration, warmup, self._order)
        self._order += 1
        return self._measure(cell, spec, Diagnostics(), collect_garbage, record)

    def schedule(self) -> list[Slot]:
        opts = self.options
        return build_schedule(self.cells, opts.iterations, opts.warmup, opts.seed)

    def run_schedule(self) -> None:
        for slot in self.schedule():
            self.measure_one(slot.cell, warmup=slot.warmup)

    def measure_diagnostic(self, cell: Cell, purpose: str, *, collect_garbage: bool = True) -> RunSample:
        """One recorded run of `cell` under one instrument: "heap" (tracemalloc), "memray" or "profile"
        (pyinstrument); its artifact goes to <report-dir>/memray or /profiles, one file per cell."""
        if purpose == "heap":
            diag = Diagnostics(heap=True)
        elif purpose == "memray":
            diag = Diagnostics(memray_path=str(self.report_dir / "memray" / f"{cell.id}.bin"))
        elif purpose == "profile":
            diag = Diagnostics(profile_path=str(self.report_dir / "profiles" / f"{cell.id}.html"))
        else:
            raise ValueError(f"unknown diagnostic purpose {purpose!r}; use heap, memray or profile")
        iteration = self._counters.get((cell, purpose), 0)
        self._counters[(cell, purpose)] = iteration + 1
        spec = RunSpec(self.run_id, cell.combo, cell.engine, iteration, False, self._order, purpose)
        self._order += 1
        return self._measure(cell, spec, diag, collect_garbage=collect_garbage)

    def run_diagnostics(self) -> None:
        """One extra run per cell and instrument, sequentially (memray allows one tracker per process)."""
        wanted = [p for p, on in (("heap", self.options.heap), ("memray", self.options.memray),
                                  ("profile", self.options.profile)) if on]
        for cell in self.cells:
            for purpose in wanted:
                self.measure_diagnostic(cell, purpose)

    def run(self) -> SessionResults:
        self.run_schedule()
        self.run_diagnostics()
        return self.finalize()

    def _described(self, key: str) -> str:
        return str(self.pipeline.describe().get(key) or "")

    def _history_key(self, machine: dict[str, Any]) -> dict[str, Any]:
        return {"bench": self.name, "source": self.source, "depth": self._described("depth"),
                "llm_profile": self._described("llm_profile"), "isolate": self.options.isolate,
                "node": machine["node"], "cpu_count": machine["cpu_count"]}

    def _history(self, machine: dict[str, Any]) -> list[HistoryCheck]:
        if self.options.history is None:
            return []
        entries, key = load_history(self.options.history), self._history_key(machine)
        rows = []
        for engine in self.options.engines:
            current = [s.e2e_s for s in self.samples if s.cell == ("baseline", engine) and s.counts]
            rows.append(history_check(entries, key, engine, current, self.options.history_k,
                                      self.options.threshold, self.options.alpha, self.options.seed))
        return rows

    def _append_history(self, results: SessionResults) -> None:
        if self.options.history is None:
            return
        key = self._history_key(results.session.machine)
        for engine in self.options.engines:
            own = [c for c in results.cells if c.engine == engine]
            base = next((c.e2e for c in own if c.combo == "baseline" and c.e2e), None)
            if base is None:
                continue  # a session without valid baseline runs leaves no point in the history
            append_history(self.options.history, json_safe({
                "run_id": self.run_id, "time": results.session.finished_at,
                "key": {**key, "engine": engine},
                "baseline_median_s": base.median, "baseline_n": base.n,
                "cells": [{"combo": c.combo, "median_s": c.e2e.median if c.e2e else None, "n": c.counts.ok}
                          for c in own],
                "verdict": results.banner.verdict,
            }))

    def info(self) -> SessionInfo:
        """Where and how this session ran, for its results."""
        return SessionInfo(
            run_id=self.run_id, name=self.name, command_line=tuple(self.command_line), seed=self.options.seed,
            started_at=self.started_at, finished_at=datetime.now(UTC).isoformat(), source=self.source,
            depth=self._described("depth"), llm_profile=self._described("llm_profile"),
            settings=dict(self.pipeline.describe()), options=self.options.record(),
            machine=environment(self.root), report_dir=str(self.report_dir),
        )

    def finalize(self) -> SessionResults:
        """Compute every statistic, write results.json + summary.md (+ HTML if available), update history.
        No goals: they are judged over every bench of a pytest session (`pytest_autointel_goals`), and the plugin
        rewrites the reports with them at session end."""
        info = self.info()  # reads the machine's packages and git commit once; the history key uses them too
        results = build_results(self.samples, self.options, info, self._history(info.machine))
        write_reports(results, self.report_dir)
        self._append_history(results)
        return results
