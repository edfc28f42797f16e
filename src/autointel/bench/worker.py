"""Process isolation: one sample per fresh interpreter, so peak RSS and cold costs are honest.

Protocol: the parent writes one JSON request on the worker's stdin (how to rebuild the pipeline, the source,
the combination's flags that are on, the engine, the run's seed, run spec, diagnostics); the worker rebuilds
the pipeline, prepares the run off the clock, measures it and writes one JSON RunSample as the last line of
stdout. Anything the pipeline prints goes to stderr, so it cannot corrupt the protocol. A worker that dies,
times out or answers garbage becomes a failed sample in the parent.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from typing import Any

from autointel.bench.measure import Diagnostics, RunSpec, failed_sample, measure
from autointel.bench.pipeline import PipelineRef
from autointel.bench.samples import RunSample, sample_from_json, sample_to_json
from autointel.model.combo import Combo


@dataclasses.dataclass(frozen=True)
class WorkerRun:
    """One isolated run: which pipeline, what to run on it, and how to measure it."""

    ref: PipelineRef
    source: str
    combo: Combo
    engine: str
    seed: int
    spec: RunSpec
    diagnostics: Diagnostics = dataclasses.field(default_factory=Diagnostics)
    rss_interval_s: float = 0.015

    def request(self) -> dict[str, Any]:
        return {
            "pipeline": {"path": self.ref.path, "kwargs": dict(self.ref.kwargs)},
            "source": self.source, "on": sorted(self.combo.on), "engine": self.engine, "seed": self.seed,
            "spec": dataclasses.asdict(self.spec), "diagnostics": dataclasses.asdict(self.diagnostics),
            "rss_interval_s": self.rss_interval_s,
        }


def worker_env(ref: PipelineRef) -> dict[str, str]:
    """The parent's environment minus what the pipeline asks to unset, plus what it asks to set."""
    env = {k: v for k, v in os.environ.items() if k not in ref.unset}
    env.update(ref.env)
    return env


def measure_in_subprocess(run: WorkerRun, timeout_s: float = 3600.0) -> RunSample:
    flags = run.combo.values()
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "autointel.bench.worker"], input=json.dumps(run.request()),
            capture_output=True, text=True, timeout=timeout_s, env=worker_env(run.ref), check=False,
        )
    except subprocess.TimeoutExpired:
        return failed_sample(run.spec, flags, f"worker timed out after {timeout_s:.0f} s",
                             time.perf_counter() - t0, isolated=True)
    elapsed = time.perf_counter() - t0
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode == 0 and lines:
        try:
            return sample_from_json(lines[-1])
        except (json.JSONDecodeError, TypeError) as exc:
            return failed_sample(run.spec, flags, f"worker answered garbage: {exc}", elapsed, isolated=True)
    tail = proc.stderr.strip()[-2000:]
    return failed_sample(run.spec, flags, f"worker exited with code {proc.returncode}: {tail}", elapsed,
                         isolated=True)


def run_request(request: dict[str, Any]) -> RunSample:
    pipeline = PipelineRef(**request["pipeline"]).load()
    try:
        combo = pipeline.space.combo(request["on"])
        run = pipeline.prepare(request["source"], combo, request["engine"], int(request["seed"]))
        return measure(run, RunSpec(**request["spec"]), combo.values(),
                       diagnostics=Diagnostics(**request["diagnostics"]),
                       rss_interval_s=float(request["rss_interval_s"]), isolated=True)
    finally:
        close = getattr(pipeline, "close", None)
        if callable(close):
            close()


def main() -> int:
    request = json.loads(sys.stdin.read())
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever the pipeline prints lands on stderr
    sys.stdout = sys.stderr
    sample = run_request(request)
    protocol.write(sample_to_json(sample) + "\n")
    protocol.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
