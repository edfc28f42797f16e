"""What the harness itself costs (goal G8): the same orchestrator call unrecorded and recorded.

Each round runs, in a seeded random order, the target called directly (no harness), the harness's
default recording (`BenchSession.measure_one`: fingerprint, RSS sampler thread, digest, critical
path, fsynced append), its tracemalloc and memray modes, and `autointel --help` in a fresh process.
gc.collect() runs before every call, off the clock, as the harness does. Warmup rounds are dropped.
Every name gets one value per round, in round order (`blocks="round"`), so the goals resample rounds as
blocks: the minutes of machine noise a round shares cancel in its ratios. Beside the wall times it records
the default mode's own work per round (G8.5): the call's wall time outside the target, plus the CPU time
of the RSS sampler thread that ran beside it.
`AUTOINTEL_BENCH_INSTRUMENTS_EVERY=K` runs the two instruments (tracemalloc, memray) in every K-th round only
(warmups run everything): G8.1 needs hundreds of rounds on this VM and the instruments are only measured, so
their values are then not round-paired and their ratios resample rounds independently.
Timings go through `autointel_bench.add_measurement` into the session JSON under the names
`benchmarks/goals` reads. Cheap on purpose (instant profile, standard depth, a 30 s clip, the
pipeline engine) so it fits the default `nox -s bench`; the recorded default-mode runs also give G7
(transcription speed at standard depth).
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.autointel_pipeline import TargetRef
from autointel.bench.samples import RunSample
from autointel.bench.schedule import Cell
from autointel.engines.resources import Resources
from autointel.model import RunResult, Status
from autointel.settings import Flags
from benchmarks import goals
from benchmarks.media import assemble_talk

TARGET = TargetRef("autointel.bench.targets:fresh_store_run")
CLIP_MINUTES = 0.5
ENGINE = "pipeline"


def help_command() -> list[str]:
    """The installed `autointel` script beside this interpreter, else on PATH, else the module."""
    script = shutil.which("autointel", path=str(Path(sys.executable).parent)) or shutil.which("autointel")
    return [script, "--help"] if script else [sys.executable, "-m", "autointel.cli", "--help"]


def instruments_every() -> int:
    raw = os.environ.get("AUTOINTEL_BENCH_INSTRUMENTS_EVERY", "1")
    if not raw.isdigit() or int(raw) < 1:
        pytest.fail(f"AUTOINTEL_BENCH_INSTRUMENTS_EVERY must be a whole number of rounds (1 or more), not {raw!r}",
                    pytrace=False)
    return int(raw)


def timed(call: Callable[[], None]) -> float:
    gc.collect()  # garbage from the previous call must not be collected on this one's clock
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_harness_overhead(autointel_bench: Any, bench_data: Path, shared_models: Resources) -> None:
    opts = autointel_bench.options
    media = assemble_talk(CLIP_MINUTES, bench_data / "talk-overhead.wav")
    session = autointel_bench.session("harness-overhead", TARGET, source=str(media), depth="standard",
                                      combos="baseline", engines=ENGINE, data_dir=bench_data / "overhead",
                                      resources=shared_models)
    cell = Cell(Flags().combo(), ENGINE)
    target, settings = TARGET.load(), session.pipeline.settings_for(cell.flags, cell.engine)
    command = help_command()
    warm = [True]

    def unrecorded() -> None:
        result = target(session.source, settings, shared_models)
        assert isinstance(result, RunResult) and result.status is Status.OK, result

    last: dict[str, RunSample] = {}

    def recorded(purpose: str) -> Callable[[], None]:
        def call() -> None:
            if purpose == "default":
                sample = last[purpose] = session.measure_one(cell, warmup=warm[0], collect_garbage=False)
            else:
                sample = session.measure_diagnostic(cell, "heap" if purpose == "tracemalloc" else purpose,
                                                    collect_garbage=False)
            assert sample.status == "ok", sample.error
        return call

    def cli_help() -> None:
        subprocess.run(command, capture_output=True, check=True, timeout=60)

    calls = {goals.UNRECORDED: unrecorded, **{name: recorded(mode) for mode, name in goals.RECORDED.items()},
             goals.CLI_HELP: cli_help}
    values: dict[str, list[float]] = {name: [] for name in [*calls, goals.ACCOUNTED]}
    every = instruments_every()
    sparse = {goals.RECORDED["tracemalloc"], goals.RECORDED["memray"]} if every > 1 else set()
    rng = random.Random(opts.seed)
    for round_no in range(opts.warmup + opts.iterations):
        warm[0] = round_no < opts.warmup
        order = [name for name in calls if name not in sparse or warm[0] or (round_no - opts.warmup) % every == 0]
        rng.shuffle(order)
        for name in order:
            elapsed = timed(calls[name])
            if not warm[0]:
                values[name].append(elapsed)
                if name == goals.RECORDED["default"]:  # its own work: outside the target, and its sampler beside it
                    own = last["default"]
                    values[goals.ACCOUNTED].append(elapsed - own.e2e_s + (own.sampler_cpu_s or 0.0))
    for name, found in values.items():
        autointel_bench.add_measurement(name, found, unit="s", media_s=CLIP_MINUTES * 60, engine=ENGINE,
                                        depth="standard", llm_profile=settings.llm_profile,
                                        blocks=None if name in sparse else "round",
                                        command=" ".join(command) if name == goals.CLI_HELP else None)
    results = autointel_bench.finish(session)
    assert results.cells[0].counts.ok == opts.iterations
