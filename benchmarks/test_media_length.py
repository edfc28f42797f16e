"""Cost as work grows: the sequential baseline and the all-flags run on 1, 5 (and 20, full) minutes of media.

The lengths are compared with each other (G6.1: time per minute at 1 min against 20 min), so their runs
alternate in one order (`AutointelBench.run_together`) instead of one length after another: a slow spell of
the machine then lands on every length alike instead of reading as the cost of one length's media.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autointel.bench.autointel_pipeline import TargetRef
from autointel.engines.resources import Resources
from benchmarks.conftest import EVIDENCE, FULL
from benchmarks.media import assemble_talk

MINUTES = (1, 5, 20) if FULL else (1, 5)
# The evidence corpus is indexed once (as in use): the figures are the cost of the media, not of the corpus.
TARGET = TargetRef("autointel.bench.targets:indexed_evidence_run")
# A 1-minute run lasts about 2.5 s, so one slow second moves it most; three times the runs cost about a minute.
RUNS_FACTOR = {1: 3}


def test_media_length(autointel_bench: Any, bench_data: Path, shared_models: Resources) -> None:
    benches = []
    for minutes in MINUTES:
        media = assemble_talk(minutes, bench_data / f"talk-{minutes}min.wav")
        benches.append((f"length-{minutes}min", TARGET, {
            "source": str(media),
            "depth": "comprehensive",
            "data_dir": bench_data / f"length-{minutes}",
            "evidence_dir": EVIDENCE,
            "resources": shared_models,
            "iterations": autointel_bench.options.iterations * RUNS_FACTOR.get(minutes, 1),
        }))
    results = autointel_bench.run_together(benches)
    assert list(results) == [name for name, _, _ in benches]
    assert all(r.cells for r in results.values())
