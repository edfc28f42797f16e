"""Cost as work grows: the sequential baseline and the all-flags run on 1, 5 (and 20, full) minutes of media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autointel.bench.measure import TargetRef
from autointel.engines.resources import Resources
from benchmarks.conftest import EVIDENCE, FULL
from benchmarks.media import assemble_talk

MINUTES = (1, 5, 20) if FULL else (1, 5)
# The evidence corpus is indexed once (as in use): the figures are the cost of the media, not of the corpus.
TARGET = TargetRef("autointel.bench.targets:indexed_evidence_run")


@pytest.mark.parametrize("minutes", MINUTES)
def test_media_length(
    minutes: int, autointel_bench: Any, bench_data: Path, shared_models: Resources
) -> None:
    media = assemble_talk(minutes, bench_data / f"talk-{minutes}min.wav")
    results = autointel_bench.run(
        TARGET,
        name=f"length-{minutes}min",
        source=str(media),
        depth="comprehensive",
        data_dir=bench_data / f"length-{minutes}",
        evidence_dir=EVIDENCE,
        resources=shared_models,
    )
    assert results["cells"]
