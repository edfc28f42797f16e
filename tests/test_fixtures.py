"""Consistency checks for the evaluation fixtures (stdlib only, no model loading).

The fixtures are the ground truth the whole project is evaluated on:

* fixtures/scripts/<stem>.txt   talk scripts (one sentence per line)
* fixtures/labels.json          planted fallacies and check-worthy claims
* fixtures/evidence/*.md        evidence corpus for fact checking
* fixtures/media/*              rendered media (see fixtures/make_media.py)
"""

from __future__ import annotations

import importlib.util
import json
import wave
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT

LABELS_PATH = FIXTURES / "labels.json"
MEDIA_DIR = FIXTURES / "media"
EVIDENCE_DIR = FIXTURES / "evidence"

FALLACY_TYPES = {
    "ad_hominem",
    "straw_man",
    "false_dilemma",
    "slippery_slope",
    "appeal_to_authority",
    "hasty_generalization",
    "appeal_to_fear",
    "bandwagon",
    "circular_reasoning",
    "red_herring",
}
VERDICTS = {"supported", "contradicted", "unverifiable"}
SPECIAL_MEDIA = ("silence.wav", "noaudio.mp4", "truncated.mp3")
MAX_MEDIA_BYTES = 3_000_000


@pytest.fixture(scope="module")
def labels() -> dict:
    return json.loads(LABELS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def talks(labels: dict) -> dict:
    return labels["talks"]


def _script_lines(talk: dict) -> list[str]:
    text = (ROOT / talk["script"]).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_labels_shape(labels: dict, talks: dict) -> None:
    assert set(labels) == {"talks"}
    assert len(talks) == 3
    for stem, talk in talks.items():
        assert set(talk) == {"script", "media", "voice", "fallacies", "claims"}, stem
        assert talk["script"] == f"fixtures/scripts/{stem}.txt"
        assert isinstance(talk["media"], list) and talk["media"], stem
        assert isinstance(talk["voice"], str) and talk["voice"], stem
        for f in talk["fallacies"]:
            assert set(f) == {"type", "quote"}, (stem, f)
        for c in talk["claims"]:
            assert set(c) == {"text", "verdict", "evidence"}, (stem, c)


def test_scripts_exist_and_match_labels(talks: dict) -> None:
    on_disk = {p.stem for p in (FIXTURES / "scripts").glob("*.txt")}
    assert on_disk == set(talks)


def test_voices_differ(talks: dict) -> None:
    voices = [t["voice"] for t in talks.values()]
    assert len(set(voices)) == len(voices)


@pytest.mark.parametrize("stem", ["city_transit", "energy_policy", "health_diet"])
def test_script_length(talks: dict, stem: str) -> None:
    words = (ROOT / talks[stem]["script"]).read_text(encoding="utf-8").split()
    assert 130 <= len(words) <= 230, len(words)


def test_quotes_and_claims_are_verbatim_sentences(talks: dict) -> None:
    for stem, talk in talks.items():
        text = (ROOT / talk["script"]).read_text(encoding="utf-8")
        lines = set(_script_lines(talk))
        for f in talk["fallacies"]:
            assert f["quote"] in text, (stem, f["quote"])
            assert f["quote"] in lines, f"not a whole sentence line: {f['quote']!r}"
        for c in talk["claims"]:
            assert c["text"] in text, (stem, c["text"])
            assert c["text"] in lines, f"not a whole sentence line: {c['text']!r}"


def test_fallacy_and_claim_sentences_do_not_overlap(talks: dict) -> None:
    for stem, talk in talks.items():
        quotes = [f["quote"] for f in talk["fallacies"]]
        claims = [c["text"] for c in talk["claims"]]
        assert len(set(quotes)) == len(quotes), stem
        assert len(set(claims)) == len(claims), stem
        assert not set(quotes) & set(claims), stem
        # Neutral filler must exist so detectors have to discriminate.
        assert len(_script_lines(talk)) > len(quotes) + len(claims) + 2, stem


def test_fallacy_types_valid_and_all_covered(talks: dict) -> None:
    seen: Counter[str] = Counter()
    for stem, talk in talks.items():
        types = [f["type"] for f in talk["fallacies"]]
        assert 3 <= len(types) <= 5, (stem, types)
        assert set(types) <= FALLACY_TYPES, (stem, set(types) - FALLACY_TYPES)
        seen.update(types)
    assert set(seen) == FALLACY_TYPES, FALLACY_TYPES - set(seen)


def test_claim_verdict_mix(talks: dict) -> None:
    verdicts: Counter[str] = Counter()
    for stem, talk in talks.items():
        assert 3 <= len(talk["claims"]) <= 4, stem
        for c in talk["claims"]:
            assert c["verdict"] in VERDICTS, (stem, c)
            verdicts[c["verdict"]] += 1
    assert set(verdicts) == VERDICTS
    total = sum(verdicts.values())
    for v in VERDICTS:  # roughly a third each
        assert verdicts[v] >= total // 4, verdicts


def test_evidence_files_named_in_labels_exist(talks: dict) -> None:
    for stem, talk in talks.items():
        for c in talk["claims"]:
            if c["verdict"] == "unverifiable":
                assert c["evidence"] is None, (stem, c)
            else:
                assert isinstance(c["evidence"], str), (stem, c)
                assert (EVIDENCE_DIR / c["evidence"]).is_file(), c["evidence"]


def test_evidence_corpus_size() -> None:
    docs = sorted(EVIDENCE_DIR.glob("*.md"))
    assert 4 <= len(docs) <= 6
    for doc in docs:
        n = len(doc.read_text(encoding="utf-8").split())
        assert 100 <= n <= 300, (doc.name, n)


def test_media_files_exist(talks: dict) -> None:
    for talk in talks.values():
        for rel in talk["media"]:
            path = ROOT / rel
            assert path.is_file(), rel
            assert path.stat().st_size > 10_000, rel
    for name in SPECIAL_MEDIA:
        assert (MEDIA_DIR / name).is_file(), name


def test_media_formats(talks: dict) -> None:
    exts = sorted(Path(rel).suffix for t in talks.values() for rel in t["media"])
    assert exts == [".mp3", ".mp4", ".wav"]
    for talk in talks.values():
        for rel in talk["media"]:
            path = ROOT / rel
            head = path.read_bytes()[:12]
            if path.suffix == ".wav":
                assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
                with wave.open(str(path), "rb") as w:
                    assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (1, 16000, 2)
                    assert 45 <= w.getnframes() / w.getframerate() <= 90
            elif path.suffix == ".mp3":
                assert head[:3] == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
            elif path.suffix == ".mp4":
                assert head[4:8] == b"ftyp"


def test_special_media() -> None:
    with wave.open(str(MEDIA_DIR / "silence.wav"), "rb") as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (1, 16000, 2)
        assert w.getnframes() == 5 * 16000
        assert w.readframes(w.getnframes()) == b"\x00" * (2 * 5 * 16000)
    assert (MEDIA_DIR / "noaudio.mp4").read_bytes()[4:8] == b"ftyp"
    truncated = (MEDIA_DIR / "truncated.mp3").read_bytes()
    assert len(truncated) == 2048
    assert (MEDIA_DIR / "city_transit.mp3").read_bytes().startswith(truncated)


def test_media_total_size() -> None:
    total = sum(p.stat().st_size for p in MEDIA_DIR.iterdir() if p.is_file())
    assert total < MAX_MEDIA_BYTES, total


def test_make_media_matches_labels(talks: dict) -> None:
    spec = importlib.util.spec_from_file_location("_make_media", FIXTURES / "make_media.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # defines constants only; main() is not run
    assert set(mod.TALKS) == set(talks)
    for stem, (voice, ext) in mod.TALKS.items():
        assert talks[stem]["voice"] == voice
        assert talks[stem]["media"] == [f"fixtures/media/{stem}.{ext}"]
