"""Transcription: streamed audio, speech windows, the mapping back to media time, and the real model on fixtures.

The unit tests drive the audio pipeline with a synthetic signal and a deterministic stand-in for VAD; the tests
marked slow run faster-whisper with the bundled tiny.en model.
"""

from __future__ import annotations

import itertools
import os
import time
import tracemalloc
import wave
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from autointel.errors import InputError
from autointel.model import Segment
from autointel.phases.audio import (
    SAMPLE_RATE,
    Audio,
    Span,
    SpeechOptions,
    SpeechQueue,
    SpeechScanner,
    SpeechUnit,
    SpeechWindow,
    VoiceDetector,
    decode_blocks,
)
from autointel.phases.evaluation import word_error_rate
from autointel.phases.transcription import (
    FALLBACK_BEAM_SIZE,
    DecodeBounds,
    RawSegment,
    Transcriber,
    _AudioClock,
    _features,
    needs_fallback,
    pick_fallback_result,
    split_on_timestamps,
)
from tests.helpers import FIXTURES, load_labels, talk_media

MEDIA = FIXTURES / "media"
SR = SAMPLE_RATE


# --- a synthetic signal and a stand-in for VAD -------------------------------------------------------------------


def loudness_detector(min_gap_s: float = 2.0, max_speech_s: float = 28.0) -> VoiceDetector:
    """Spans of non-silent samples, pauses shorter than min_gap_s bridged, like Silero with min_silence 2 s."""

    def detect(audio: Audio) -> list[Span]:
        loud = np.abs(audio) > 0.01
        edges = np.flatnonzero(np.diff(np.concatenate([[False], loud, [False]]).astype(np.int8)))
        spans: list[Span] = []
        for start, end in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            if spans and start - spans[-1][1] < min_gap_s * SR:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        limit = round(max_speech_s * SR)
        return [(s + i, min(s + i + limit, e)) for s, e in spans for i in range(0, e - s, limit)]

    return detect


def signal(layout: list[tuple[float, float]]) -> Audio:
    """(seconds of silence, seconds of speech) pairs; 'speech' is a ramp, so every sample says where it came from."""
    parts = []
    for silence, speech in layout:
        parts.append(np.zeros(round(silence * SR), dtype=np.float32))
        parts.append(np.full(round(speech * SR), 0.5, dtype=np.float32))
    audio = np.concatenate(parts)
    return (audio * (1 + np.arange(len(audio)) / len(audio))).astype(np.float32)


def blocks_of(audio: Audio, block_s: float) -> Iterator[Audio]:
    step = round(block_s * SR)
    for i in range(0, len(audio), step):
        yield audio[i:i + step]


def scan(audio: Audio, opts: SpeechOptions, block_s: float = 10.0) -> list[SpeechUnit]:
    scanner = SpeechScanner(loudness_detector(opts.keep_gap_s, opts.max_speech_s), opts)
    units: list[SpeechUnit] = []
    for block in blocks_of(audio, block_s):
        units += scanner.feed(block)
    return units + scanner.finish()


LAYOUT = [(0.7, 5.0), (0.5, 8.0), (3.0, 12.0), (1.9, 4.0), (10.0, 31.0), (0.3, 2.0), (0.0, 45.0), (2.5, 1.0)]


# --- SpeechScanner ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("block_s", [0.37, 10.0, 61.0])
def test_scanner_keeps_every_speech_sample_in_order_with_short_pauses_whole(block_s: float) -> None:
    opts = SpeechOptions()
    audio = signal([*LAYOUT, (4.0, 0.0)])
    units = scan(audio, opts, block_s)
    for unit in units:  # each unit is a verbatim slice of the media
        np.testing.assert_array_equal(unit.audio, audio[unit.media_start:unit.media_start + len(unit.audio)])
    ends = [u.media_start + len(u.audio) for u in units]
    assert all(end <= nxt.media_start for end, nxt in zip(ends, units[1:], strict=False))  # in order, disjoint
    covered = np.zeros(len(audio), dtype=bool)
    for unit, end in zip(units, ends, strict=True):
        covered[unit.media_start:end] = True
    assert covered[np.abs(audio) > 0.01].all()  # no speech lost
    pad, keep = round(opts.pad_s * SR), round(opts.keep_gap_s * SR)
    for unit, end, nxt in zip(units, ends, units[1:], strict=False):
        dropped = nxt.media_start - end
        assert dropped == 0 if unit.gap_after <= keep else dropped == unit.gap_after - 2 * pad


def test_scanner_holds_a_bounded_buffer_on_long_media() -> None:
    opts = SpeechOptions()
    scanner = SpeechScanner(loudness_detector(), opts)
    audio = signal(LAYOUT * 8)  # about 16 minutes
    most = 0
    for block in blocks_of(audio, 10.0):
        scanner.feed(block)
        most = max(most, scanner._buffered)
    assert len(audio) > 900 * SR
    assert most <= (opts.scan_s + opts.max_speech_s + opts.margin_s + 10.0) * SR


def test_silence_yields_no_speech() -> None:
    assert scan(np.zeros(90 * SR, dtype=np.float32), SpeechOptions()) == []


# --- SpeechQueue and SpeechWindow ---------------------------------------------------------------------------------


def test_queue_serves_all_speech_in_windows_and_keeps_what_was_not_decoded() -> None:
    opts = SpeechOptions()
    units = scan(signal(LAYOUT), opts)
    queue = SpeechQueue(opts)
    queue.extend(units)
    served, rng = [], np.random.default_rng(7)
    while queue.ready(final=True):
        window = queue.window()
        assert 0 < len(window.audio) <= opts.window_s * SR
        decoded = len(window.audio) if rng.random() < 0.5 else int(rng.integers(1, len(window.audio)))
        served.append(window.audio[:decoded])
        queue.consume(decoded)
    np.testing.assert_array_equal(np.concatenate(served), np.concatenate([u.audio for u in units]))


def test_window_after_a_partial_decode_starts_where_whisper_stopped() -> None:
    units = scan(signal(LAYOUT), SpeechOptions())
    queue = SpeechQueue()
    queue.extend(units)
    first = queue.window()
    queue.consume(3 * SR + 5)
    second = queue.window()
    assert second.media_starts[0] == round(first.media_time(3 + 5 / SR) * SR)


def test_media_time_maps_across_pieces() -> None:
    window = SpeechWindow(np.zeros(7 * SR, dtype=np.float32), 5 * SR, (SR // 2, 10 * SR), (0, 2 * SR))
    assert window.media_time(1.0) == 1.5
    assert window.media_time(2.0) == 10.0  # a start on the boundary opens the next piece
    assert window.media_time(2.0, end=True) == 2.5  # an end on the boundary closes the previous one
    assert window.media_time(4.0) == 12.0
    assert window.media_time(99.0, end=True) == 13.0  # clamped to the window


def test_queue_waits_for_a_window_and_its_lookahead_until_the_end() -> None:
    opts = SpeechOptions(window_s=30.0, lookahead_s=30.0)
    queue = SpeechQueue(opts)
    queue.extend([SpeechUnit(0, np.ones(40 * SR, dtype=np.float32), 3 * SR)])
    assert not queue.ready(final=False) and queue.ready(final=True)
    queue.extend([SpeechUnit(45 * SR, np.full(25 * SR, 2.0, dtype=np.float32), 3 * SR)])
    assert queue.ready(final=False)
    window = queue.window()
    assert window.size == 30 * SR and len(window.samples) == 60 * SR  # the window, then what follows it
    assert window.media_starts == (0,) and (window.samples[40 * SR:] == 2.0).all()


# --- Whisper's timestamp tokens -----------------------------------------------------------------------------------

TB = 1000  # timestamp_begin in these token lists; a timestamp token t means (t - TB) * 0.02 s


def test_a_finished_window_is_read_to_its_end() -> None:
    tokens = [TB, 1, 2, TB + 100, TB + 100, 3, TB + 250]
    pieces, stop = split_on_timestamps(tokens, TB, 0.02, 30.0)
    assert pieces == [(0.0, 2.0, [1, 2]), (2.0, 5.0, [3])] and stop is None


def test_an_unfinished_sentence_is_left_for_the_next_window() -> None:
    tokens = [TB, 1, TB + 100, TB + 120, 2, 3]
    pieces, stop = split_on_timestamps(tokens, TB, 0.02, 30.0)
    assert pieces == [(0.0, 2.0, [1])] and stop == pytest.approx(2.0)  # where the finished part ends


def test_output_without_timestamp_pairs_is_one_segment() -> None:
    assert split_on_timestamps([5, 6, 7], TB, 0.02, 12.5) == ([(0.0, 12.5, [5, 6, 7])], None)
    assert split_on_timestamps([TB, 5, 6, TB + 50], TB, 0.02, 12.5) == ([(0.0, 1.0, [5, 6])], None)


THRESHOLDS = SimpleNamespace(compression_ratio_threshold=2.4, log_prob_threshold=-1.0, no_speech_threshold=0.6)


@pytest.mark.parametrize(("logprob", "ratio", "no_speech", "falls_back"), [
    (-0.3, 1.5, 0.01, False),  # fluent and likely
    (-1.2, 1.5, 0.01, True),  # unlikely
    (-0.3, 2.9, 0.01, True),  # repetitive
    (-1.2, 1.5, 0.9, False),  # unlikely, but the model says silence: skipped, not retried
])
def test_a_window_is_retried_by_faster_whispers_quality_thresholds(logprob: float, ratio: float, no_speech: float,
                                                                   falls_back: bool) -> None:
    assert needs_fallback(THRESHOLDS, logprob, ratio, no_speech) is falls_back


def test_of_two_failed_tries_the_most_likely_fluent_one_is_kept() -> None:
    greedy, beam = ("greedy", -1.2, 0.0, 1.6), ("beam", -1.1, 0.0, 1.7)
    assert pick_fallback_result(THRESHOLDS, [greedy, beam]) is beam
    looping = ("beam", -0.2, 0.0, 3.0)  # more likely, but too repetitive
    assert pick_fallback_result(THRESHOLDS, [greedy, looping]) is greedy
    assert pick_fallback_result(THRESHOLDS, [("a", -1.5, 0.0, 2.5), ("b", -1.3, 0.0, 2.6)])[0] == "b"


def test_features_are_normalised_over_the_window_and_its_lookahead() -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    audio = np.concatenate(list(decode_blocks(str(MEDIA / "energy_policy.mp4"))))[7 * SR:67 * SR]
    window = SpeechWindow(audio, 30 * SR, (7 * SR,), (0,))
    joint = extractor(window.samples)[:, :3000]  # as faster-whisper does it, over everything at once
    np.testing.assert_allclose(_features(extractor, window)[:, :3000], joint, atol=1e-6)
    assert np.abs(extractor(window.audio)[:, :3000] - joint).max() > 0.1  # the window alone is not the same


# --- decoding media -----------------------------------------------------------------------------------------------


def test_decoding_streams_blocks_of_the_requested_size() -> None:
    blocks = list(decode_blocks(str(MEDIA / "health_diet.wav"), block_s=5.0))
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    assert all(len(b) >= 5 * SR for b in blocks[:-1]) and max(len(b) for b in blocks) < 6 * SR
    assert abs(sum(len(b) for b in blocks) / SR - 60.99) < 0.05


@pytest.mark.parametrize(("path", "message"), [
    (MEDIA / "noaudio.mp4", "no audio stream"),
    (FIXTURES / "labels.json", "not a readable media file"),
    (MEDIA / "missing.mp3", "not a readable media file"),
])
def test_unusable_media_is_an_input_error(path: Path, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(decode_blocks(str(path)))


def test_a_damaged_stretch_is_skipped_not_fatal(tmp_path: Path) -> None:
    data = bytearray((MEDIA / "city_transit.mp3").read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4000] = os.urandom(4000)
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    seconds = sum(len(b) for b in decode_blocks(str(damaged))) / SR
    assert 70 < seconds <= 80.1  # the audio after the damage is still there


def test_truncated_media_decodes_what_is_there() -> None:
    assert sum(len(b) for b in decode_blocks(str(MEDIA / "truncated.mp3"))) < SR


# --- the real model -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


def assemble(paths: list[Path], out: Path, gap_s: float = 1.0) -> tuple[Path, list[float]]:
    """A longer talk from fixture talks, a pause between them; returns the file and where each talk starts."""
    pieces, starts, at = [], [], 0
    for path in paths:
        audio = np.concatenate(list(decode_blocks(str(path))))
        starts.append(at / SR)
        pieces += [audio, np.zeros(round(gap_s * SR), dtype=np.float32)]
        at += len(audio) + round(gap_s * SR)
    return write_wav(np.concatenate(pieces), out), starts


def write_wav(audio: Audio, out: Path) -> Path:
    """16 kHz mono 16-bit PCM."""
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SR)
        handle.writeframes((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes())
    return out


def check_timeline(segments: tuple[Segment, ...], duration_s: float) -> None:
    assert segments
    for seg in segments:
        assert 0 <= seg.start_s <= seg.end_s <= duration_s + 0.5 and seg.text
    for a, b in itertools.pairwise(segments):
        assert a.end_s <= b.start_s + 0.02  # time order, no overlap


@pytest.mark.slow
def test_fixture_talk_is_accurate_timed_and_streamed(transcriber: Transcriber) -> None:
    label = load_labels()["health_diet"]
    streamed: list[Segment] = []
    transcript = transcriber.transcribe(str(talk_media("health_diet")), on_segment=streamed.append)
    assert word_error_rate((FIXTURES.parent / label["script"]).read_text(), transcript.text) <= 0.05
    assert streamed == list(transcript.segments) and transcript.language == "en"
    assert 0 < transcript.quality <= 1
    check_timeline(transcript.segments, 61.0)


@pytest.mark.slow
def test_timestamps_stay_on_the_media_clock_across_windows_and_talks(transcriber: Transcriber,
                                                                    tmp_path: Path) -> None:
    talks = [talk_media("city_transit"), talk_media("energy_policy")]
    path, starts = assemble(talks, tmp_path / "two.wav", gap_s=4.0)  # a pause long enough to be shrunk
    began, handed = time.perf_counter(), []
    together = transcriber.transcribe(str(path), on_segment=lambda s: handed.append(time.perf_counter() - began))
    took = time.perf_counter() - began
    assert len(handed) == len(together.segments) and handed[0] < 0.6 * took  # streamed, not handed over at the end
    check_timeline(together.segments, starts[1] + 79)
    alone = transcriber.transcribe(str(talks[1]))
    for words in ("cost of solar power", "the world's first ocean wind farm"):  # in the second talk's windows
        there = next(s for s in together.segments if words in s.text.lower())
        here = next(s for s in alone.segments if words in s.text.lower())
        assert abs(there.start_s - (starts[1] + here.start_s)) < 0.5, (there, here)
        assert abs(there.end_s - (starts[1] + here.end_s)) < 0.5, (there, here)


@pytest.mark.slow
def test_short_last_window_gives_the_same_words_with_a_trimmed_encoder_input(transcriber: Transcriber) -> None:
    full = Transcriber(encoder_margin_s=None)
    media = str(talk_media("health_diet"))  # its last window holds about 2 s of speech
    assert transcriber.transcribe(media).text == full.transcribe(media).text


@pytest.mark.slow
def test_silence_and_truncated_media_give_an_empty_transcript(transcriber: Transcriber) -> None:
    for name in ("silence.wav", "truncated.mp3"):
        transcript = transcriber.transcribe(str(MEDIA / name))
        assert transcript.segments == () and transcript.text == "" and transcript.quality == 0.0


@pytest.mark.slow
def test_media_without_audio_is_an_input_error(transcriber: Transcriber) -> None:
    with pytest.raises(InputError, match="no audio stream"):
        transcriber.transcribe(str(MEDIA / "noaudio.mp4"))


@pytest.mark.slow
def test_a_window_that_falls_back_decodes_the_same_on_every_run(transcriber: Transcriber, tmp_path: Path) -> None:
    """A talk cut off just after it starts, like the end of a 20-minute bench talk: its last window fails the
    greedy thresholds (and the beam's too, so the better try is kept).

    faster-whisper retries such a window by sampling, which CTranslate2 seeds at random, so the bench's 20-minute
    runs gave three different transcripts; the retry is a beam search now, and nothing is sampled.
    """
    city, energy = (np.concatenate(list(decode_blocks(str(talk_media(s))))) for s in ("city_transit", "energy_policy"))
    clip = np.concatenate([city[-round(10.0 * SR):], np.zeros(SR, dtype=np.float32), energy[:round(5.705 * SR)]])
    path = write_wav(clip, tmp_path / "tail.wav")
    model, calls = transcriber._model, []
    real = model.model  # spied on, not replaced: every call still runs the model

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def generate(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(kwargs)
            return real.generate(*args, **kwargs)

    model.model = Spy()
    try:
        texts = {transcriber.transcribe(str(path)).text for _ in range(3)}
    finally:
        model.model = real
    assert len(texts) == 1 and "welcome to tonight's debate" in texts.pop().lower()
    assert any(c.get("beam_size") == FALLBACK_BEAM_SIZE for c in calls)  # the clip did fall back
    assert not any(c.get("sampling_temperature", 0) > 0 or c.get("sampling_topk", 1) != 1 for c in calls)


class _NoWhisper:
    """Consumes each window whole without running the model: isolates the memory of the audio pipeline."""

    language = "en"

    def decode(self, window: SpeechWindow) -> tuple[list[RawSegment], int]:
        return [], len(window.audio)


@pytest.mark.slow
def test_audio_memory_does_not_grow_with_media_length(transcriber: Transcriber, tmp_path: Path) -> None:
    """Past the first scan and window the audio pipeline is in its steady state: 9 minutes cost what 3 do."""
    talks = [talk_media(stem) for stem in ("city_transit", "energy_policy", "health_diet")]
    peaks = []
    for copies in (1, 3):  # about 3 and 9 minutes; 9 minutes of float32 samples are 35 MB
        path, _ = assemble(talks * copies, tmp_path / f"talk{copies}.wav")
        tracemalloc.start()
        try:
            for _ in transcriber._decoded_windows(str(path), _NoWhisper(), _AudioClock(DecodeBounds())):  # type: ignore[arg-type]
                pass
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] <= 1.1 * peaks[0] + 2**20, peaks
    assert peaks[1] < 40 * 2**20, peaks
