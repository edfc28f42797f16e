"""Transcript-quality warnings: the pure rules on chosen signal values, the sentence filter, and the real model
on public recordings (datasets/speech) that must, or must not, raise a warning."""

from __future__ import annotations

import pytest

from autointel.evaluation.transcripts import Recording, _row, load_manifest, normalize
from autointel.model import Segment, Transcript, TranscriptWarning
from autointel.phases.text import GrowingTranscript, split_sentences
from autointel.phases.transcript_quality import (
    LOW_CONFIDENCE,
    OVERLAPPING_SPEAKERS,
    REPETITION_LOOP,
    UNTRANSCRIBABLE_SPEECH,
    QualityThresholds,
    SegmentSignals,
    WindowSignals,
    flagged_share,
    gap_warning,
    has_repeated_ngram,
    merge_warnings,
    mostly_untrusted,
    repeats_earlier,
    segment_flags,
    uncovered_speech,
)
from autointel.phases.transcription import Transcriber
from tests.helpers import DATASETS

SPEECH = DATASETS / "speech"
T = QualityThresholds()


def signals(text: str, probs: tuple[float, ...], start: float = 0.0, end: float = 5.0) -> SegmentSignals:
    return SegmentSignals(text, start, end, -0.3, probs)


def test_confident_tokens_raise_nothing() -> None:
    assert segment_flags(signals("And so my fellow Americans.", (0.9, 0.95, 0.8, 0.99, 0.7)), [], T) == ()


def test_mostly_guessed_tokens_are_untranscribable_speech() -> None:
    probs = (0.1, 0.2, 0.9, 0.05, 0.25)  # 4 of 5 below the guess level
    assert segment_flags(signals("I'm going to be a little bit better.", probs), [], T) == (UNTRANSCRIBABLE_SPEECH,)


def test_some_doubtful_tokens_are_low_confidence_when_sparse_and_overlap_when_dense() -> None:
    probs = (0.1, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9)  # a fifth below the guess level
    sparse = signals("That's it, good y'all.", probs, 0.0, 2.0)
    dense = signals("He begins a few scenes of friendly desert who would vanish behind the curtain on the left.",
                    probs, 0.0, 5.0)
    assert segment_flags(sparse, [], T) == (LOW_CONFIDENCE,)
    assert segment_flags(dense, [], T) == (OVERLAPPING_SPEAKERS,)


def test_unmeasured_tokens_raise_no_confidence_warning() -> None:
    assert segment_flags(signals("We're still here.", ()), [], T) == ()


def test_an_ngram_said_three_times_in_a_segment_is_a_loop() -> None:
    assert has_repeated_ngram("We had to focus on the rest of the rest of the day, and we had to do the rest of "
                              "the day.", T)
    assert not has_repeated_ngram("Ask not what your country can do for you, ask what you can do for your "
                                  "country.", T)


def test_a_text_that_compresses_like_a_loop_is_a_loop() -> None:
    assert has_repeated_ngram("na " * 40, T)


def test_the_third_identical_segment_in_a_row_is_a_loop_not_the_first_two() -> None:
    earlier: list[str] = []
    flags = []
    for _ in range(5):
        flags.append(segment_flags(signals("We're still here.", (0.9,) * 4), earlier, T))
        earlier.append("We're still here.")
    assert flags == [(), (), (REPETITION_LOOP,), (REPETITION_LOOP,), (REPETITION_LOOP,)]
    assert not repeats_earlier("Thank you.", ["Thank you!", "Something else.", "More."], T)


def test_a_long_stretch_of_speech_without_text_is_found() -> None:
    window = WindowSignals(25.0, 30.0, ((0.0, 7.0),))
    assert uncovered_speech(window, T) == (7.0, 30.0)


def test_short_pauses_between_segments_are_not_untranscribed_speech() -> None:
    window = WindowSignals(0.0, 30.0, ((0.0, 8.0), (9.5, 20.0), (21.0, 29.0)))
    assert uncovered_speech(window, T) is None
    assert uncovered_speech(WindowSignals(0.0, 0.0, ()), T) is None


def test_a_window_skipped_whole_is_untranscribed_speech() -> None:
    assert uncovered_speech(WindowSignals(0.0, 12.0, ()), T) == (0.0, 12.0)


def test_consecutive_flagged_segments_merge_into_one_warning_per_kind() -> None:
    segments = [Segment(0, 2, "fine"), Segment(2, 4, "a", (LOW_CONFIDENCE,)), Segment(4, 6, "b", (LOW_CONFIDENCE,)),
                Segment(6, 8, "fine again"), Segment(8, 9, "c", (LOW_CONFIDENCE, REPETITION_LOOP))]
    gap = gap_warning(10.0, 20.0)
    warnings = merge_warnings(segments, [gap])
    assert [(w.kind, w.start_s, w.end_s) for w in warnings] == [
        (LOW_CONFIDENCE, 2, 6), (LOW_CONFIDENCE, 8, 9), (REPETITION_LOOP, 8, 9), (UNTRANSCRIBABLE_SPEECH, 10.0, 20.0)]
    assert "2 segments" in warnings[0].detail


def test_flagged_share_counts_speech_left_without_text() -> None:
    segments = [Segment(0, 10, "fine"), Segment(10, 20, "bad", (LOW_CONFIDENCE,))]
    warnings = merge_warnings(segments, [gap_warning(20.0, 40.0)])
    assert flagged_share(segments, warnings) == pytest.approx(30 / 40)
    assert mostly_untrusted(segments, warnings)
    few = [Segment(0, 10, "fine"), Segment(10, 12, "bad", (LOW_CONFIDENCE,))]
    assert not mostly_untrusted(few, merge_warnings(few, []))
    assert flagged_share([], []) == 0.0


def test_flagged_segments_feed_no_sentence_streamed_or_whole() -> None:
    segments = (Segment(0, 2, "The bus fare rose by 10 percent."),
                Segment(2, 4, "We had to focus on the rest of the rest of the day.", (REPETITION_LOOP,)),
                Segment(4, 6, "Ridership fell in 2019."), Segment(6, 8, "Then it recovered."))
    whole = split_sentences(Transcript(" ".join(s.text for s in segments), segments, "en", 1.0))
    assert [s.text for s in whole] == ["The bus fare rose by 10 percent.", "Ridership fell in 2019.",
                                       "Then it recovered."]
    growing = GrowingTranscript()
    streamed = [s for i in range(1, len(segments) + 1) for s in growing.update(segments[:i])]
    assert [s.text for s in streamed] == [s.text for s in whole[:-1]]  # the last one waits for the end, as before


def test_the_eval_expects_its_own_kind_and_silence_from_clean_speech() -> None:
    warned = Transcript("x", (Segment(0, 1, "x", (LOW_CONFIDENCE,)),), "en", 0.0,
                        (TranscriptWarning(LOW_CONFIDENCE, 0, 1, "d"),))
    assert not _row(Recording("a.flac", UNTRANSCRIBABLE_SPEECH, None), warned).detected
    assert _row(Recording("a.flac", LOW_CONFIDENCE, None), warned).detected
    assert not _row(Recording("a.flac", "clean", None), warned).detected
    assert normalize("1, 2, 3.") == "one two three"


def test_the_manifest_lists_only_files_that_exist() -> None:
    recordings = load_manifest(SPEECH)
    assert recordings and all((SPEECH / r.file).is_file() for r in recordings)


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


def test_german_speech_under_the_english_model_is_warned_and_kept_out(transcriber: Transcriber) -> None:
    """faster-whisper's multilingual.mp3: the MIT licence read in English, then in German."""
    transcript = transcriber.transcribe(str(SPEECH / "multilingual.mp3"))
    kinds = {w.kind for w in transcript.warnings}
    assert UNTRANSCRIBABLE_SPEECH in kinds
    gaps = [w for w in transcript.warnings if w.kind == UNTRANSCRIBABLE_SPEECH]
    assert max(w.end_s - w.start_s for w in gaps) > 15  # the dropped German reading
    sentences = " ".join(s.text for s in split_sentences(transcript)).lower()
    assert "permission is hereby granted" in sentences
    assert all(s.text.lower() not in sentences for s in transcript.segments if s.flags)
    assert any(s.flags for s in transcript.segments)


def test_two_voices_mixed_raise_an_overlap_warning(transcriber: Transcriber) -> None:
    """faster-whisper's stereo_diarization.wav, both channels mixed to one."""
    transcript = transcriber.transcribe(str(SPEECH / "stereo_mix.wav"))
    assert OVERLAPPING_SPEAKERS in {w.kind for w in transcript.warnings}
    assert split_sentences(transcript) == ()


@pytest.mark.parametrize("name", ["jfk.flac", "stereo_left.wav"])
def test_clean_real_speech_raises_no_warning(transcriber: Transcriber, name: str) -> None:
    transcript = transcriber.transcribe(str(SPEECH / name))
    assert transcript.segments and transcript.warnings == ()
    assert not any(s.flags for s in transcript.segments)
    assert transcript.quality > 0.5
