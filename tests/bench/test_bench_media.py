"""The bench's long media: cut at the fixture scripts' lines, and every minute of it mixes the three voices."""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import pytest
from benchmarks.media import ROOT, TALKS, assemble_talk, assembled_script, decode_mono_16k, line_spans, talk_layout


def _script_lines(talk: Path) -> list[str]:
    text = (ROOT / "fixtures" / "scripts" / f"{talk.stem}.txt").read_text()
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("talk", TALKS, ids=lambda p: p.stem)
def test_the_pauses_found_are_the_script_lines(talk: Path) -> None:
    spans = line_spans(decode_mono_16k(talk))
    assert len(spans) == len(_script_lines(talk))
    assert all(end > start for start, end in spans)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_every_minute_holds_all_three_voices_and_every_line_of_a_talk_comes_round() -> None:
    layout = talk_layout(5)
    per_minute: list[set[int]] = [set() for _ in range(5)]
    spans = [line_spans(decode_mono_16k(p)) for p in TALKS]
    at = 0
    for talk, line, share in layout:
        start, end = spans[talk][line]
        per_minute[min(4, at // (60 * 16000))].add(talk)
        at += round((end - start) * share)
    assert all(voices == {0, 1, 2} for voices in per_minute)
    for talk in range(len(TALKS)):
        assert {line for t, line, _ in layout if t == talk} == set(range(len(spans[talk])))
    assert all(share == 1.0 for _, _, share in layout[:-1])


def test_the_media_has_the_asked_length_and_the_script_follows_it(tmp_path: Path) -> None:
    out = assemble_talk(1, tmp_path / "talk.wav")
    with wave.open(str(out)) as handle:
        assert handle.getnframes() == 60 * 16000
    script = assembled_script(1).split()
    first = [_script_lines(p)[0].split() for p in TALKS]
    assert script[: sum(len(words) for words in first)] == [w for words in first for w in words]
    assert 130 < len(script) < 175  # words in one minute at the talks' pace (about 160 per minute)
