"""Streaming transcription: the consumer overlaps the decoder and changes no output."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.engines.streaming import STREAM_STEP
from autointel.model import Segment, Status, Transcript, to_jsonable
from autointel.phases.text import split_sentences
from autointel.phases.verification import ClaimSpotter, extract_claims
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two JSON values first differ; every text, verdict and count compared exactly, floats within 1e-5.
    One full-suite run found the streamed verification payload different and the cause was not found (12
    reruns agreed, embeddings are batch-invariant); the tolerance only spares a score rounded differently at
    its sixth decimal, and any other difference is named in the failure."""
    if isinstance(a, float) and isinstance(b, float):
        return None if math.isclose(a, b, abs_tol=1e-5) else f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        return next((d for k in a if (d := first_difference(a[k], b[k], f"{path}.{k}")) is not None), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True))
                     if (d := first_difference(x, y, f"{path}[{i}]")) is not None), None)
    return None if a == b else f"{path}: {str(a)[:300]!r} != {str(b)[:300]!r}"


def test_first_difference_names_the_path_and_ignores_only_float_noise() -> None:
    assert first_difference({"x": [1, {"s": 0.780747}]}, {"x": [1, {"s": 0.780748}]}) is None
    assert first_difference({"x": [1, {"s": 0.78}]}, {"x": [1, {"s": 0.79}]}) == ".x[1].s: 0.78 != 0.79"
    assert first_difference({"v": "supported"}, {"v": "contradicted"}) == ".v: 'supported' != 'contradicted'"


def test_a_prefilled_spotter_gives_the_same_claims(resources: Resources) -> None:
    texts = ["Ridership grew 12 percent in 2023.", "Buses run every 10 minutes.", "Is that true?",
             "Fares fell by half while costs doubled, and Oslo saw 3 new lines."]
    segments = tuple(Segment(float(i), float(i) + 1, t) for i, t in enumerate(texts))
    sentences = split_sentences(Transcript(" ".join(texts), segments, "en", 1.0))
    spotter = ClaimSpotter()
    for s in sentences[:2]:  # what a consumer would have seen before the talk ended
        spotter.spot(s.text)
    assert len(spotter) == 2
    embedder = resources.embedder()
    assert extract_claims(sentences, True, embedder, spotter) == extract_claims(sentences, True, embedder)
    assert len(spotter) == len(sentences)  # each sentence's quantities were read once, prefilled ones reused


@pytest.mark.slow
def test_streaming_overlaps_transcription_and_changes_no_output(tmp_path: Path) -> None:
    source = str(talk_media("city_transit"))
    results = {}
    for name in ("all", "all+streaming_transcription"):
        settings = fixture_settings(tmp_path / name, Flags.parse_combo(name), depth=Depth.DEEP)
        with Resources(settings) as resources:
            results[name] = run_engine(source, settings, resources)
            if name != "all":
                hits = resources.embedder().hits
    plain, streamed = results["all"], results["all+streaming_transcription"]
    assert plain.status is Status.OK and streamed.status is Status.OK, streamed.errors
    assert streamed.flags.streaming_transcription and not plain.flags.streaming_transcription

    def payload(r: object) -> object:
        return to_jsonable((r.transcript, r.analysis, r.verification, r.deception_score))  # type: ignore[attr-defined]

    first = first_difference(payload(streamed), payload(plain))
    assert first is None, f"streaming changed the output at {first}"
    steps = {s.name: s for s in streamed.steps}
    assert STREAM_STEP in steps and STREAM_STEP not in {s.name for s in plain.steps}
    assert steps[STREAM_STEP].start_s < steps["transcribe"].end_s  # it began while the decoder ran
    assert steps[STREAM_STEP].cpu_s > 0 and hits > 0
