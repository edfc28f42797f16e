"""Sentence splitting of a timestamped transcript, shared by analysis and verification.

Speech recognisers emit segments that rarely line up with sentences, so we join the segment texts,
split the joined text into sentences and map every sentence back to a time by interpolating the
character offset inside the segment it starts (and ends) in.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from autointel.memory.chunking import ABBREVIATIONS, NUMBER_ABBREVIATIONS
from autointel.model import Segment, Transcript

# A sentence without punctuation longer than this (in words) is cut at segment boundaries instead.
MAX_UNPUNCTUATED_WORDS = 60

_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_EXTRA_ABBREVIATIONS = frozenset({"etc", "e.g", "i.e", "mr", "mrs", "dr", "no", "approx"})


@dataclass(frozen=True)
class Sentence:
    text: str
    start_s: float
    end_s: float
    # A piece of a run-on span cut at a segment boundary: not something the speaker said as a whole, so it is
    # never quoted as a sentence (summary, key insights).
    fragment: bool = False


@dataclass(frozen=True)
class _Piece:
    """One segment's text placed at [offset, offset + len(text)) in the joined transcript text."""

    offset: int
    text: str
    segment: Segment


def split_sentences(transcript: Transcript) -> tuple[Sentence, ...]:
    """Split the transcript into timestamped sentences (segment boundaries when there is no punctuation).

    Segments with transcript-quality flags are left out: what the recogniser got wrong is no claim, theme or
    summary sentence."""
    pieces = _pieces(transcript)
    if not pieces:
        return ()
    joined = " ".join(p.text for p in pieces)
    segment_starts = [p.offset for p in pieces]
    if _BOUNDARY.search(joined) is None:  # no punctuation at all: trust the recogniser's segments
        spans = [(p.offset, p.offset + len(p.text)) for p in pieces]
    else:
        spans = _sentence_spans(joined)
    out: list[Sentence] = []
    for start, end in spans:
        cut = _cut_long_span(joined, start, end, segment_starts)
        for sub_start, sub_end in cut:
            text = joined[sub_start:sub_end].strip()
            if not any(c.isalnum() for c in text):
                continue
            lead = len(joined[sub_start:sub_end]) - len(joined[sub_start:sub_end].lstrip())
            first = sub_start + lead
            last = first + len(text)
            out.append(Sentence(text, _time_at(pieces, first), _time_at(pieces, last), fragment=len(cut) > 1))
    return tuple(out)


def finished_sentences(segments: Sequence[Segment]) -> tuple[Sentence, ...]:
    """The sentences of a transcript still being decoded that can no longer change (all but the last)."""
    partial = Transcript(" ".join(s.text for s in segments), tuple(segments), "en", 0.0)
    return split_sentences(partial)[:-1]


# Segments re-split per new one. Sentence boundaries are local, so the finished sentences inside a window of
# the latest segments are the transcript's (bar the window's first, which may have begun before it); a rare
# miss only leaves that sentence to the steps' work after the transcript is done, so the window bounds the cost
# (re-splitting everything on each segment would be quadratic in the media's length) and never the result.
WINDOW_SEGMENTS = 16


class GrowingTranscript:
    """The finished sentences of a transcript that is still being decoded, each found once.

    Each `update` splits only a window of the latest segments, so following a talk of any length costs the
    same per segment. Not thread-safe: a shared instance is guarded by its owner.
    """

    def __init__(self) -> None:
        self._split_upto = 0
        self._seen: set[tuple[str, float]] = set()  # (text, start): a sentence said twice is two sentences

    def update(self, segments: Sequence[Segment]) -> tuple[Sentence, ...]:
        """The sentences that `segments` (all so far, in order) finish and no earlier call returned."""
        if len(segments) <= self._split_upto:
            return ()
        window = segments[-WINDOW_SEGMENTS:]
        finished = finished_sentences(window)
        whole = finished if len(window) == len(segments) else finished[1:]
        fresh = tuple(s for s in whole if (s.text, s.start_s) not in self._seen)
        self._seen.update((s.text, s.start_s) for s in fresh)
        self._split_upto = len(segments)
        return fresh


def _pieces(transcript: Transcript) -> list[_Piece]:
    segments = transcript.segments
    if not segments and transcript.text.strip():
        segments = (Segment(0.0, 0.0, transcript.text),)
    pieces: list[_Piece] = []
    offset = 0
    for segment in segments:
        text = " ".join(segment.text.split())
        if not text or segment.flags:  # a flagged segment (transcript_quality) feeds no sentence
            continue
        pieces.append(_Piece(offset, text, segment))
        offset += len(text) + 1
    return pieces


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences ending at . ! ? that are not decimals, abbreviations or initials."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _is_false_boundary(text, start, match.start(), end):
            continue
        spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _is_false_boundary(text: str, start: int, mark: int, end: int) -> bool:
    if text[mark] != ".":
        return False
    words = text[start:mark].split()
    if not words:
        return True
    word = words[-1].lstrip("\"'(\u201c\u2018[")
    following = text[end:].lstrip()[:1]
    if len(word) == 1 and word.isalpha() and word.isupper():  # an initial: "J. Smith"
        return True
    if "." in word and word.replace(".", "").isalpha() and len(word) <= 6:  # "U.S", "e.g"
        return not following.isupper() or word.lower() in _EXTRA_ABBREVIATIONS
    lower = word.lower()
    if lower in ABBREVIATIONS or lower in _EXTRA_ABBREVIATIONS:
        return lower != "no" or following.isdigit()
    return following.isdigit() and lower in NUMBER_ABBREVIATIONS


def _cut_long_span(text: str, start: int, end: int, segment_starts: list[int]) -> list[tuple[int, int]]:
    """A run-on span (no punctuation for many words) is split at the segment boundaries inside it."""
    if len(text[start:end].split()) <= MAX_UNPUNCTUATED_WORDS:
        return [(start, end)]
    cuts = [s for s in segment_starts if start < s < end]
    if not cuts:
        return [(start, end)]
    bounds = [start, *cuts, end]
    return list(itertools.pairwise(bounds))


def _time_at(pieces: list[_Piece], offset: int) -> float:
    """Interpolate a time for a character offset inside the segment that holds it."""
    chosen = pieces[0]
    for piece in pieces:
        if piece.offset <= offset:
            chosen = piece
        else:
            break
    segment = chosen.segment
    length = max(len(chosen.text), 1)
    fraction = min(max((offset - chosen.offset) / length, 0.0), 1.0)
    return round(segment.start_s + fraction * (segment.end_s - segment.start_s), 3)
