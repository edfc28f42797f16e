"""Bounded-memory audio for transcription: stream-decode with PyAV, keep the speech, serve it in Whisper windows.

faster-whisper's own path decodes the whole file into one float32 array and runs Silero VAD and the log-mel
features over all of it at once (peak RSS grew by 1.2 GB for 20 minutes of media). Here the media is decoded
in blocks, VAD runs over about a minute at a time (`SpeechScanner`), and the speech waits in a short queue
(`SpeechQueue`) that hands out Whisper windows: peak memory depends on these sizes, not on the length of the
media.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from autointel.errors import InputError

SAMPLE_RATE = 16000

Audio = npt.NDArray[np.float32]
Span = tuple[int, int]  # [start, end) in samples
VoiceDetector = Callable[[Audio], list[Span]]


@dataclass(frozen=True)
class SpeechOptions:
    """How speech is found and windowed. Silence is treated as faster-whisper's default VAD treats it: pauses
    up to `keep_gap_s` stay whole, longer ones shrink to `2 * pad_s`."""

    scan_s: float = 60.0  # decoded audio per VAD pass (bounds the decoded-audio buffer)
    window_s: float = 30.0  # Whisper's input
    # Log-mel features are normalised to their loudest value: faster-whisper takes it over the whole file, this
    # over the window and the speech after it. Normalised over the window alone, 2 of the ~600 fixture words
    # came out worse than faster-whisper's.
    lookahead_s: float = 30.0
    pad_s: float = 0.4  # silence kept on each side of a long pause
    keep_gap_s: float = 2.0  # shorter pauses stay whole (faster-whisper's default min_silence_duration_ms)
    # VAD ends a stretch of speech after this much silence. Shorter pauses than keep_gap_s still stay whole, but
    # stretches stay short, so little speech waits for the next scan (and is run through VAD twice).
    min_silence_s: float = 0.3
    max_speech_s: float = 28.0  # longer stretches are split (at a short pause if there is one): bounds a buffer

    @property
    def margin_s(self) -> float:
        """Speech this close to the end of a scan may go on: it waits for the next scan."""
        return max(self.keep_gap_s, 2 * self.pad_s)


@dataclass(frozen=True)
class SpeechUnit:
    """One stretch of speech with its share of the surrounding silence, copied out of the scan buffer."""

    media_start: int  # samples
    audio: Audio
    gap_after: int  # samples of silence after the speech (at least the margin when it was not seen whole)


@dataclass(frozen=True)
class SpeechWindow:
    """Speech pieces of the media concatenated into one array, with the map back to media time."""

    samples: Audio  # the window, then the speech that follows it (context for the features, not decoded)
    size: int  # samples in the window
    media_starts: tuple[int, ...]  # where each piece of the window starts in the media (samples)
    offsets: tuple[int, ...]  # where each piece starts in the window (samples)

    @property
    def audio(self) -> Audio:
        return self.samples[:self.size]

    @property
    def duration_s(self) -> float:
        return self.size / SAMPLE_RATE

    def media_time(self, t: float, *, end: bool = False) -> float:
        """Seconds into the window -> seconds into the media; an end time on a piece boundary stays in its piece."""
        sample = min(max(round(t * SAMPLE_RATE), 0), self.size)
        find = bisect.bisect_left if end else bisect.bisect_right
        piece = max(find(self.offsets, sample) - 1, 0)
        return (self.media_starts[piece] + sample - self.offsets[piece]) / SAMPLE_RATE


def load_silero_vad() -> None:
    """faster-whisper loads its VAD session once per process, on first use; this does it now."""
    from faster_whisper.vad import get_vad_model

    get_vad_model()


def silero_detector(opts: SpeechOptions) -> VoiceDetector:
    """Silero VAD as bundled in faster-whisper (the onnx model ships in the wheel: nothing downloads)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        min_silence_duration_ms=round(opts.min_silence_s * 1000),
        speech_pad_ms=0,  # the scanner pads, knowing the pauses on both sides
        max_speech_duration_s=opts.max_speech_s,
    )

    def detect(audio: Audio) -> list[Span]:
        return [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(audio, vad)]

    return detect


class SpeechScanner:
    """Feed decoded blocks in order; get back the stretches of speech that surely ended, in order.

    Holds at most `scan_s` seconds of decoded audio plus the speech that may still go on at its end.
    """

    def __init__(self, detect: VoiceDetector, opts: SpeechOptions | None = None) -> None:
        opts = opts or SpeechOptions()
        self._detect = detect
        self._scan = round(opts.scan_s * SAMPLE_RATE)
        self._pad = round(opts.pad_s * SAMPLE_RATE)
        self._keep_gap = round(opts.keep_gap_s * SAMPLE_RATE)
        self._margin = round(opts.margin_s * SAMPLE_RATE)
        self._blocks: list[Audio] = []
        self._buffered = 0
        self._buffer_start = 0  # media sample of the first buffered sample
        self._prev_speech_end: int | None = None  # media sample where the last stretch handed out ended

    def feed(self, block: Audio) -> list[SpeechUnit]:
        self._blocks.append(block)
        self._buffered += len(block)
        return self._take(final=False) if self._buffered >= self._scan else []

    def finish(self) -> list[SpeechUnit]:
        return self._take(final=True) if self._buffered else []

    def _take(self, *, final: bool) -> list[SpeechUnit]:
        buffer = np.concatenate(self._blocks) if len(self._blocks) > 1 else self._blocks[0]
        n = len(buffer)
        spans = self._detect(buffer)
        done = spans if final else [s for s in spans if s[1] <= n - self._margin]
        units: list[SpeechUnit] = []
        keep_from = n if final else n - self._margin
        for i, (start, end) in enumerate(done):
            before = self._pad_before(start)
            if i + 1 < len(spans):
                gap_after = spans[i + 1][0] - end
                after = self._share(gap_after)
            else:  # nothing more in the buffer: at least the margin of silence follows (all of it at the end)
                gap_after = n - end
                after = min(self._pad, gap_after)
            start_at = self._buffer_start + start - before
            units.append(SpeechUnit(start_at, buffer[start - before:end + after].copy(), gap_after))
            self._prev_speech_end = self._buffer_start + end
            keep_from = end + after
        if not final and len(spans) > len(done):  # speech that may go on: keep it, with its lead-in, for next time
            start = spans[len(done)][0]
            keep_from = start - self._pad_before(start)
        rest = buffer[keep_from:]
        self._blocks = [rest] if len(rest) and not final else []
        self._buffered = len(rest) if not final else 0
        self._buffer_start += keep_from
        return units

    def _pad_before(self, start: int) -> int:
        """Silence kept before a stretch: half the pause since the previous one, or pad_s after a long pause."""
        if self._prev_speech_end is None:
            return min(self._pad, start)
        return min(self._share(self._buffer_start + start - self._prev_speech_end), start)

    def _share(self, gap: int) -> int:
        return gap // 2 if gap <= self._keep_gap else self._pad


class SpeechQueue:
    """Speech waiting for Whisper, served in windows of `window_s` and consumed as far as Whisper decoded.

    Whisper may stop before the end of a window (a sentence cut by the window end); the rest then starts the
    next window, as in faster-whisper's own seek loop.
    """

    def __init__(self, opts: SpeechOptions | None = None) -> None:
        opts = opts or SpeechOptions()
        self._max = round(opts.window_s * SAMPLE_RATE)
        self._ahead = round(opts.lookahead_s * SAMPLE_RATE)
        self._units: deque[SpeechUnit] = deque()
        self._skip = 0  # samples of the first unit already consumed
        self._queued = 0  # samples not yet consumed

    def extend(self, units: Sequence[SpeechUnit]) -> None:
        self._units.extend(units)
        self._queued += sum(len(u.audio) for u in units)

    def ready(self, *, final: bool) -> bool:
        """A full window and its lookahead wait (or the media has ended and some speech is left)."""
        return self._queued >= self._max + self._ahead or (final and self._queued > 0)

    def window(self) -> SpeechWindow:
        """The next `window_s` of speech (or what is left of it), with up to `lookahead_s` of what follows."""
        starts, offsets, pieces, size, skip = [], [], [], 0, self._skip
        for unit in self._units:
            if size >= self._max + self._ahead:
                break
            piece = unit.audio[skip:skip + self._max + self._ahead - size]
            if size < self._max:
                starts.append(unit.media_start + skip)
                offsets.append(size)
            pieces.append(piece)
            size += len(piece)
            skip = 0
        samples = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        return SpeechWindow(samples, min(len(samples), self._max), tuple(starts), tuple(offsets))

    def consume(self, samples: int) -> None:
        """Drop the first `samples` of the queue (what Whisper decoded)."""
        samples = min(samples, self._queued)
        self._queued -= samples
        while samples and self._units:
            left = len(self._units[0].audio) - self._skip
            if samples < left:
                self._skip += samples
                return
            samples -= left
            self._units.popleft()
            self._skip = 0


def decode_blocks(path: str, block_s: float = 10.0) -> Iterator[Audio]:
    """Mono 16 kHz float32 blocks of about `block_s` seconds; a corrupt packet is skipped, not fatal.

    Frames are gathered (as faster-whisper does) so the resampler runs once per block, not once per frame.
    """
    import av

    try:
        container = av.open(path, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a readable media file: {path} ({_first_line(exc)})") from None
    with container:
        if not container.streams.audio:
            raise InputError(f"no audio stream in {path}")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        fifo = av.AudioFifo()
        for frame in _frames(container, stream):
            frame.pts = None  # damaged streams have gaps in pts, which the FIFO would refuse
            try:
                fifo.write(frame)
            except ValueError:  # the format changed mid-stream: resample what was gathered, start again
                if fifo.samples:
                    yield from _resampled(resampler, fifo.read())
                fifo = av.AudioFifo()
                fifo.write(frame)
            if fifo.samples >= block_s * frame.sample_rate:
                yield from _resampled(resampler, fifo.read())
        if fifo.samples:
            yield from _resampled(resampler, fifo.read())
        yield from _resampled(resampler, None)  # what the resampler still holds


def decoded_duration(path: str, cap_s: float) -> float:
    """Seconds of audio the media decodes to, counting no further than just past `cap_s`."""
    samples = 0
    for block in decode_blocks(path):
        samples += len(block)
        if samples > cap_s * SAMPLE_RATE:
            break
    return samples / SAMPLE_RATE


def _resampled(resampler: Any, frame: Any) -> Iterator[Audio]:
    """The resampled samples of a gathered frame as one block (None flushes the resampler)."""
    parts = [_samples(out) for out in resampler.resample(frame)]
    if parts:
        yield np.concatenate(parts) if len(parts) > 1 else parts[0]


def _samples(frame: Any) -> Audio:
    return np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1)  # packed mono float: a (1, n) array


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames, skipping packets the decoder rejects; a demuxer error ends the stream (a truncated file)."""
    import av

    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except (StopIteration, av.FFmpegError):
            return
        try:
            yield from packet.decode()
        except av.error.InvalidDataError:
            continue


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
