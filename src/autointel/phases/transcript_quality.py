"""Transcript-quality warnings: where the recogniser's words should not be trusted, and why.

Whisper always returns fluent text, even when it loops, hears a language its model cannot write, or hears two
voices at once. These pure functions read the decoder's own signals per window and per segment (token
probabilities from an alignment pass, the share of the window's speech that got any text, repeats) and name
the kind of trouble, so flagged segments can be kept out of claims, themes and the summary.

Flags are causal: a segment's flags depend on its own window and on the segments before it, never on later
ones, so a streamed run and a whole-file run flag the same segments.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from autointel.model import Segment, TranscriptWarning

REPETITION_LOOP = "repetition_loop"
UNTRANSCRIBABLE_SPEECH = "untranscribable_speech"
OVERLAPPING_SPEAKERS = "overlapping_speakers"
LOW_CONFIDENCE = "low_confidence"
KINDS = (REPETITION_LOOP, UNTRANSCRIBABLE_SPEECH, OVERLAPPING_SPEAKERS, LOW_CONFIDENCE)

_WORD = re.compile(r"[a-z0-9']+")
GAP_DETAIL = "speech with no transcribed text"


@dataclass(frozen=True)
class QualityThresholds:
    """Where each warning starts; the defaults were read off the public recordings in datasets/speech."""

    unlikely_token_p: float = 0.3  # a text token the aligner gives less than this is a guess
    guessed_share: float = 0.4  # this share of guesses or more: the speech is not what the model can write
    doubtful_share: float = 0.2  # this share or more: the words are doubtful
    dense_words_per_s: float = 3.0  # doubtful words this dense and this long: two voices fed the decoder
    dense_min_s: float = 3.0
    ngram: int = 3  # a word n-gram said this many times in one segment is a loop
    ngram_repeats: int = 3
    compression_ratio: float = 2.4  # faster-whisper's own threshold for a repetitive text
    repeat_lookback: int = 10  # a segment text seen this many times among the last segments is a loop
    repeat_count: int = 2
    uncovered_min_s: float = 5.0  # speech left without text this long, and at least this share of the window
    uncovered_share: float = 0.3
    untrusted_share: float = 0.5  # this share of the speech flagged or more: the run is partial


@dataclass(frozen=True)
class SegmentSignals:
    """What the decoder said about one segment."""

    text: str
    start_s: float
    end_s: float
    avg_logprob: float
    token_probs: tuple[float, ...]  # the aligner's probability of each text token (empty: not measured)


@dataclass(frozen=True)
class WindowSignals:
    """One decoded window of speech: how much of it the decoder consumed and where its text lies."""

    start_s: float  # media time of the window's first sample
    decoded_s: float  # seconds of the window the decoder consumed
    covered: tuple[tuple[float, float], ...]  # (start, end) of each segment, in seconds into the window


def guessed_share(probs: Sequence[float], thresholds: QualityThresholds) -> float:
    """Share of text tokens the aligner finds unlikely (0 when nothing was measured)."""
    if not probs:
        return 0.0
    return sum(1 for p in probs if p < thresholds.unlikely_token_p) / len(probs)


def normalized_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def has_repeated_ngram(text: str, thresholds: QualityThresholds) -> bool:
    """A word n-gram said again and again inside one segment, or a text that compresses like a loop."""
    words = normalized_words(text)
    n = thresholds.ngram
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= thresholds.ngram_repeats:
            return True
    return compression_ratio(text) > thresholds.compression_ratio


def compression_ratio(text: str) -> float:
    """Whisper's repetitiveness measure: bytes over zlib-compressed bytes."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def repeats_earlier(text: str, earlier: Sequence[str], thresholds: QualityThresholds) -> bool:
    """The same words as several of the latest segments: the decoder is replaying itself."""
    key = " ".join(normalized_words(text))
    if not key:
        return False
    recent = earlier[-thresholds.repeat_lookback:]
    return sum(1 for e in recent if " ".join(normalized_words(e)) == key) >= thresholds.repeat_count


def confidence_flag(segment: SegmentSignals, thresholds: QualityThresholds) -> str | None:
    """Which confidence warning the segment's token probabilities raise, if any."""
    share = guessed_share(segment.token_probs, thresholds)
    if share >= thresholds.guessed_share:
        return UNTRANSCRIBABLE_SPEECH
    if share < thresholds.doubtful_share:
        return None
    duration = segment.end_s - segment.start_s
    rate = len(normalized_words(segment.text)) / duration if duration > 0 else 0.0
    if duration >= thresholds.dense_min_s and rate >= thresholds.dense_words_per_s:
        return OVERLAPPING_SPEAKERS
    return LOW_CONFIDENCE


def segment_flags(segment: SegmentSignals, earlier: Sequence[str],
                  thresholds: QualityThresholds) -> tuple[str, ...]:
    """Every warning kind one segment raises, given the texts of the segments before it."""
    flags: list[str] = []
    if has_repeated_ngram(segment.text, thresholds) or repeats_earlier(segment.text, earlier, thresholds):
        flags.append(REPETITION_LOOP)
    confidence = confidence_flag(segment, thresholds)
    if confidence is not None:
        flags.append(confidence)
    return tuple(flags)


def uncovered_speech(window: WindowSignals, thresholds: QualityThresholds) -> tuple[float, float] | None:
    """The longest stretch of the window's decoded speech that got no text, in window seconds, when it is long
    enough to mean speech the model could not write (VAD put only speech and short pauses in a window)."""
    if window.decoded_s <= 0:
        return None
    edges = [0.0]
    gaps: list[tuple[float, float]] = []
    for start, end in sorted(window.covered):
        if start > edges[-1]:
            gaps.append((edges[-1], min(start, window.decoded_s)))
        edges.append(max(edges[-1], end))
    if edges[-1] < window.decoded_s:
        gaps.append((edges[-1], window.decoded_s))
    if not gaps:
        return None
    longest = max(gaps, key=lambda g: g[1] - g[0])
    length = longest[1] - longest[0]
    if length >= thresholds.uncovered_min_s and length >= thresholds.uncovered_share * window.decoded_s:
        return longest
    return None


def merge_warnings(segments: Sequence[Segment], extra: Sequence[TranscriptWarning]) -> tuple[TranscriptWarning,
                                                                                            ...]:
    """One warning per kind and run of consecutive flagged segments, plus the window-level ones, in time order."""
    warnings: list[TranscriptWarning] = list(extra)
    for kind in KINDS:
        run: list[Segment] = []
        for segment in [*segments, None]:
            if segment is not None and kind in segment.flags:
                run.append(segment)
                continue
            if run:
                warnings.append(_run_warning(kind, run))
                run = []
    return tuple(sorted(warnings, key=lambda w: (w.start_s, w.kind)))


def _run_warning(kind: str, run: Sequence[Segment]) -> TranscriptWarning:
    count = len(run)
    first = run[0].text if len(run[0].text) <= 60 else run[0].text[:57] + "..."
    detail = f"{count} segment{'s' if count > 1 else ''} flagged, first: {first!r}"
    return TranscriptWarning(kind, run[0].start_s, run[-1].end_s, detail)


def flagged_share(segments: Sequence[Segment], warnings: Sequence[TranscriptWarning]) -> float:
    """Share of the speech heard (segments, and speech left without text) that lies under a warning."""
    warned = [(w.start_s, w.end_s) for w in warnings]
    heard = _covered_seconds([(s.start_s, s.end_s) for s in segments] + warned)
    return _covered_seconds(warned) / heard if heard > 0 else 0.0


def _covered_seconds(spans: Sequence[tuple[float, float]]) -> float:
    """Length of the union of the spans."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def mostly_untrusted(segments: Sequence[Segment], warnings: Sequence[TranscriptWarning],
                     thresholds: QualityThresholds | None = None) -> bool:
    """Whether so much of the transcript is flagged that the run cannot pass as complete."""
    limit = (thresholds or QualityThresholds()).untrusted_share
    return bool(warnings) and flagged_share(segments, warnings) >= limit


def gap_warning(start_s: float, end_s: float) -> TranscriptWarning:
    """Speech the decoder skipped: a warning without a segment to flag."""
    return TranscriptWarning(UNTRANSCRIBABLE_SPEECH, round(start_s, 3), round(end_s, 3),
                             f"{GAP_DETAIL} ({end_s - start_s:.1f} s; another language or unclear audio)")


def warning_line(warning: TranscriptWarning) -> str:
    """The run-level warning text for one transcript warning."""
    return f"transcript {warning.kind} {warning.start_s:.1f}-{warning.end_s:.1f} s: {warning.detail}"
