"""Every flag combination, both engines, on a fixture talk: the numbers the README quotes.

Default profile (`nox -s bench`): instant LLM profile, comprehensive depth. Full profile
(`nox -s bench -- --full`): the `hosted` provider profile at experimental depth, isolated processes.
`AUTOINTEL_BENCH_DEPTH` overrides the depth (nox's `hosted` session uses experimental).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autointel.bench.autointel_pipeline import TargetRef
from autointel.engines.resources import Resources
from benchmarks.conftest import EVIDENCE, FULL
from benchmarks.media import MEDIA

TARGET = TargetRef("autointel.bench.targets:fresh_store_run")


def test_flag_matrix(autointel_bench: Any, bench_data: Path, shared_models: Resources) -> None:
    results = autointel_bench.run(
        TARGET,
        name="flag-matrix",
        source=str(MEDIA / "health_diet.wav"),
        depth=os.environ.get("AUTOINTEL_BENCH_DEPTH") or ("experimental" if FULL else "comprehensive"),
        data_dir=bench_data / "matrix",
        evidence_dir=EVIDENCE,
        resources=shared_models,
    )
    assert results.cells, "the session measured nothing"
