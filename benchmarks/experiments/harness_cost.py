"""Where the harness's own work per recorded run goes (goal G8.5), piece by piece.

    nox -s experiment -- harness_cost [--runs 8]

Runs the overhead benchmark's target (a fresh store, standard depth, a 30 s clip, the pipeline engine) once to
get a real result, then times each piece of the default mode's work on it: the fingerprint, the digest, the
steps and critical path, the sample's JSON line, the fsynced append, the peak-RSS meter, and finally whole
recorded runs (their wall time outside the target plus the meter's thread CPU, as G8.5 counts it).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.media import assemble_talk  # noqa: E402

from autointel.bench import autointel_pipeline, dag_bound, evidence  # noqa: E402
from autointel.bench.autointel_pipeline import TargetRef  # noqa: E402
from autointel.bench.measure import RunSpec  # noqa: E402
from autointel.bench.samples import sample_to_json  # noqa: E402
from autointel.engines.resources import Resources  # noqa: E402
from autointel.measurement.rss import KernelPeakRss, RssSampler  # noqa: E402
from autointel.settings import Depth, load_settings  # noqa: E402


def median_ms(call: Callable[[], object], repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="whole recorded runs to time")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="harness-cost-"))
    media = assemble_talk(0.5, work / "clip.wav")
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=work / "data", engine="pipeline")
    target = TargetRef("autointel.bench.targets:fresh_store_run").load()
    spec = RunSpec("cost", "baseline", "pipeline")
    raw = work / "raw_samples.jsonl"
    with Resources(settings) as resources:
        result = target(str(media), settings, resources)
        steps = dag_bound.steps_with_deps(result)
        sample = autointel_pipeline.measure_run(target, str(media), settings, resources, spec=spec)

        def append() -> None:
            with raw.open("a", encoding="utf-8") as handle:
                handle.write(sample_to_json(sample) + "\n")
                handle.flush()
                os.fsync(handle.fileno())

        proc = psutil.Process()
        pieces = {
            "fingerprint": lambda: evidence.expected_fingerprint(settings),
            "digest": lambda: evidence.digest_of(result),
            "steps": lambda: dag_bound.steps_with_deps(result),
            "critical path": lambda: dag_bound.safe_critical_path_of(result, steps, sample.e2e_s),
            "JSON line": lambda: sample_to_json(sample),
            "fsynced append": append,
            "kernel peak (reset + read)": lambda: KernelPeakRss.available(),
            "one RSS poll": lambda: proc.memory_info(),
        }
        for name, call in pieces.items():
            print(f"{name:28s} {median_ms(call):8.3f} ms")
        poller = RssSampler(proc)
        poller.start()
        time.sleep(1.0)
        poller.stop()
        print(f"{'15 ms poller, CPU per second':28s} {poller.cpu_s * 1000:8.3f} ms")
        own = []
        for _ in range(args.runs):
            gc.collect()
            start = time.perf_counter()
            recorded = autointel_pipeline.measure_run(target, str(media), settings, resources, spec=spec,
                                                      collect_garbage=False)
            append()
            elapsed = time.perf_counter() - start
            own.append((elapsed - recorded.e2e_s + (recorded.sampler_cpu_s or 0.0)) * 1000)
        print(f"whole recorded runs ({recorded.rss_method}, e2e {recorded.e2e_s:.2f} s): own work per run "
              f"median {statistics.median(own):.1f} ms, range {min(own):.1f}-{max(own):.1f} ms")


if __name__ == "__main__":
    main()
