"""Measure the transcript-quality warnings on the public recordings in datasets/speech.

Each recording in the manifest names the condition it was chosen for; the table shows the warnings the real
model raised on it, the flagged share, and for clean speech the word error rate, so a detection miss and a
false warning are both visible. Run: `python -m autointel.training.transcript_quality_eval`.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autointel.model import Transcript
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
    import jiwer

    return float(jiwer.wer(normalize(reference), normalize(hypothesis) or "<empty>"))


def evaluate(transcriber: Transcriber, directory: Path, recording: Recording) -> Row:
    transcript = transcriber.transcribe(str(directory / recording.file))
    return _row(recording, transcript)


def _row(recording: Recording, transcript: Transcript) -> Row:
    kinds = tuple(sorted({w.kind for w in transcript.warnings}))
    share = flagged_share(transcript.segments, transcript.warnings)
    flagged = sum(1 for s in transcript.segments if s.flags)
    wer = word_error_rate(recording.reference, transcript.text) if recording.reference else None
    return Row(recording, kinds, round(share, 3), flagged, len(transcript.segments), wer)


def render(rows: Sequence[Row]) -> str:
    """The detection table, then the false warning rate on clean speech."""
    lines = ["| file | expected | warnings raised | flagged segments | flagged share | WER | detected |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        wer = "-" if r.wer is None else f"{r.wer:.3f}"
        lines.append(f"| {r.recording.file} | {r.recording.condition} | {', '.join(r.kinds) or 'none'} | "
                     f"{r.flagged_segments}/{r.segments} | {r.flagged_share:.2f} | {wer} | "
                     f"{'yes' if r.detected else 'NO'} |")
    clean = [r for r in rows if r.recording.condition == "clean"]
    bad = [r for r in rows if r.recording.condition != "clean"]
    false_files = sum(1 for r in clean if r.kinds)
    false_segments = sum(r.flagged_segments for r in clean)
    clean_segments = sum(r.segments for r in clean)
    lines.append("")
    lines.append(f"false warnings on clean speech: {false_files}/{len(clean)} recordings, "
                 f"{false_segments}/{clean_segments} segments")
    lines.append(f"expected warning raised: {sum(1 for r in bad if r.detected)}/{len(bad)} recordings")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder holding manifest.json")
    args = parser.parse_args(argv)
    transcriber = Transcriber()
    rows = [evaluate(transcriber, args.dir, r) for r in load_manifest(args.dir)]
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
