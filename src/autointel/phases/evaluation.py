"""Scoring analysis and verification output against hand labels (fixtures/labels.json).

Quotes are matched fuzzily (token overlap, relative to the shorter text) so the same scoring works
on the original scripts and on speech-recognised transcripts, where words, punctuation and
sentence boundaries drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autointel.memory.embeddings import Embedder
from autointel.model import CheckedClaim, Evidence, Fallacy, Segment, Transcript

MIN_OVERLAP = 0.6
WORDS_PER_SECOND = 2.5  # speaking rate used to give script lines plausible timestamps

Label = Mapping[str, Any]
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("%", " percent"))


def overlap(a: str, b: str) -> float:
    """Shared distinct tokens over the distinct tokens of the shorter text (0 when either is empty)."""
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def quotes_match(a: str, b: str) -> bool:
    return overlap(a, b) >= MIN_OVERLAP


@dataclass(frozen=True)
class FallacyCounts:
    """Counts that add up across talks: correct detections, detections, labels found, labels."""

    correct: int
    detected: int
    found: int
    labelled: int

    def __add__(self, other: FallacyCounts) -> FallacyCounts:
        return FallacyCounts(self.correct + other.correct, self.detected + other.detected,
                             self.found + other.found, self.labelled + other.labelled)

    @property
    def precision(self) -> float:
        return self.correct / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def fallacy_counts(detected: Sequence[Fallacy], labels: Sequence[Label]) -> FallacyCounts:
    """A detection is correct when a label of the same type has an overlapping quote (and vice versa)."""

    def hit(f: Fallacy, label: Label) -> bool:
        return f.type == label["type"] and quotes_match(f.quote, str(label["quote"]))

    correct = sum(1 for f in detected if any(hit(f, label) for label in labels))
    found = sum(1 for label in labels if any(hit(f, label) for f in detected))
    return FallacyCounts(correct, len(detected), found, len(labels))


def fallacy_scores(detected: Sequence[Fallacy], labels: Sequence[Label]) -> tuple[float, float]:
    """(precision, recall) of detected fallacies against labelled ones; 1.0 when a side is empty."""
    counts = fallacy_counts(detected, labels)
    return counts.precision, counts.recall


def claim_matches(checked: Sequence[CheckedClaim], labels: Sequence[Label]) -> list[tuple[Label, CheckedClaim | None]]:
    """Each labelled claim with the extracted claim that overlaps it best (None when none overlaps enough)."""
    out: list[tuple[Label, CheckedClaim | None]] = []
    for label in labels:
        scored = [(overlap(c.text, str(label["text"])), i) for i, c in enumerate(checked)]
        best = max(scored, default=(0.0, -1), key=lambda x: (x[0], -x[1]))
        out.append((label, checked[best[1]] if best[0] >= MIN_OVERLAP else None))
    return out


def claim_accuracy(checked: Sequence[CheckedClaim], labels: Sequence[Label]) -> float:
    """Share of labelled claims whose matched extracted claim has the labelled verdict (missing = wrong)."""
    if not labels:
        return 1.0
    pairs = claim_matches(checked, labels)
    right = sum(1 for label, c in pairs if c is not None and c.verdict.value == label["verdict"])
    return right / len(labels)


def load_labels(path: Path) -> dict[str, dict[str, Any]]:
    """The talks of a labels.json file, by stem."""
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["talks"]
    return data


def script_transcript(text: str) -> Transcript:
    """A transcript with one segment per non-blank line, timed at a steady speaking rate."""
    segments: list[Segment] = []
    clock = 0.0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        duration = max(len(line.split()) / WORDS_PER_SECOND, 0.5)
        segments.append(Segment(round(clock, 3), round(clock + duration, 3), line))
        clock += duration
    return Transcript(" ".join(s.text for s in segments), tuple(segments), "en", 1.0)


class InMemorySearch:
    """Exact cosine search over (text, source) passages: the test double of the vector store."""

    def __init__(self, passages: Sequence[tuple[str, str]], embedder: Embedder) -> None:
        self._passages = tuple(passages)
        self._embedder = embedder
        self._vectors = embedder.embed([text for text, _ in self._passages])

    def __call__(self, query: str, limit: int) -> list[Evidence]:
        if not self._passages or limit <= 0:
            return []
        scores = self._vectors @ self._embedder.embed([query])[0]
        order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))[:limit]
        return [Evidence(self._passages[i][0], self._passages[i][1], round(float(np.float64(scores[i])), 4))
                for i in order]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """jiwer's WER over lower-cased words (with "%" read as "percent"); an empty reference counts as one word."""
    import jiwer

    ref, hyp = (" ".join(re.findall(r"[a-z0-9']+", t.lower().replace("%", " percent")))
                for t in (reference, hypothesis))
    if not ref:
        return float(len(hyp.split()))
    if not hyp:
        return 1.0
    return float(jiwer.wer(ref, hyp))
