"""Streaming transcription: the consumer overlaps the decoder and changes no output."""

from __future__ import annotations

from pathlib import Path

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.engines.streaming import STREAM_STEP
from autointel.model import Segment, Status, Transcript, to_jsonable
from autointel.phases.text import split_sentences
from autointel.phases.verification import ClaimSpotter, extract_claims
from autointel.settings import Depth, Flags
from tests.conftest import fixture_settings, talk_media


def test_a_prefilled_spotter_gives_the_same_claims() -> None:
    texts = ["Ridership grew 12 percent in 2023.", "Buses run every 10 minutes.", "Is that true?",
             "Fares fell by half while costs doubled, and Oslo saw 3 new lines."]
    segments = tuple(Segment(float(i), float(i) + 1, t) for i, t in enumerate(texts))
    sentences = split_sentences(Transcript(" ".join(texts), segments, "en", 1.0))
    spotter = ClaimSpotter()
    for s in sentences[:2]:  # what a consumer would have seen before the talk ended
        spotter.spot(s.text)
    assert len(spotter) == 2
    assert extract_claims(sentences, True, spotter) == extract_claims(sentences, True)
    assert len(spotter) == len(sentences) - 1  # the question is rejected before its quantities are read


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

    assert payload(streamed) == payload(plain)
    steps = {s.name: s for s in streamed.steps}
    assert STREAM_STEP in steps and STREAM_STEP not in {s.name for s in plain.steps}
    assert steps[STREAM_STEP].start_s < steps["transcribe"].end_s  # it began while the decoder ran
    assert steps[STREAM_STEP].cpu_s > 0 and hits > 0
