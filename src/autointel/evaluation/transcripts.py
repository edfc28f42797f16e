"""The transcript-quality warnings on the public recordings in datasets/speech (part of `nox -s quality`).

Each recording in the manifest names the condition it was chosen for; a row holds the warnings the real model
raised on it, the flagged share, and for clean speech the word error rate, so a detection miss and a false
warning are both visible.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from autointel.model import Transcript
from autointel.phases import evaluation
from autointel.phases.transcript_quality import flagged_share
from autointel.phases.transcription import Transcriber

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "datasets" / "speech"
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Recording:
    """One manifest entry."""

    file: str
    condition: str  # clean | repetition_loop | untranscribable_speech | overlapping_speakers | low_confidence
    reference: str | None


@dataclass(frozen=True)
class Row:
    """What the model and the warnings made of one recording."""

    recording: Recording
    kinds: tuple[str, ...]
    flagged_share: float
    flagged_segments: int
    segments: int
    wer: float | None

    @property
    def detected(self) -> bool:
        """A clean recording passes with no warning; any other must raise its own kind."""
        if self.recording.condition == "clean":
            return not self.kinds
        return self.recording.condition in self.kinds


def load_manifest(directory: Path) -> list[Recording]:
    data = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return [Recording(r["file"], r["condition"], r.get("reference")) for r in data["recordings"]]


def normalize(text: str) -> str:
    """Lower case, no punctuation, single digits spelled out: references and hypotheses compare on words."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return " ".join(_DIGITS[int(w)] if len(w) == 1 and w.isdigit() else w for w in words)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """The project's WER (jiwer) after spelling single digits out, as the references write them."""
    return evaluation.word_error_rate(normalize(reference), normalize(hypothesis))


def evaluate(transcriber: Transcriber, directory: Path, recording: Recording) -> Row:
    transcript = transcriber.transcribe(str(directory / recording.file))
    return _row(recording, transcript)


def evaluate_all(directory: Path = DEFAULT_DIR) -> tuple[Row, ...]:
    transcriber = Transcriber()
    return tuple(evaluate(transcriber, directory, r) for r in load_manifest(directory))


def _row(recording: Recording, transcript: Transcript) -> Row:
    kinds = tuple(sorted({w.kind for w in transcript.warnings}))
    share = flagged_share(transcript.segments, transcript.warnings)
    flagged = sum(1 for s in transcript.segments if s.flags)
    wer = word_error_rate(recording.reference, transcript.text) if recording.reference else None
    return Row(recording, kinds, round(share, 3), flagged, len(transcript.segments), wer)
