"""The bench's media: the fixture talks decoded, and longer media assembled from their lines at bench time."""

from __future__ import annotations

import itertools
import math
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "fixtures" / "media"
TALKS = (MEDIA / "city_transit.mp3", MEDIA / "energy_policy.mp4", MEDIA / "health_diet.wav")


def decode_mono_16k(path: Path) -> np.ndarray:
    """Decode with PyAV (bundled by faster-whisper): no ffmpeg binary needed."""
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        chunks = [
            frame.to_ndarray().reshape(-1)
            for packet in container.demux(audio=0)
            for decoded in packet.decode()
            for frame in resampler.resample(decoded)
        ]
    return np.concatenate(chunks).astype(np.int16)


# espeak-ng leaves 0.38-0.45 s of silence between the scripts' lines and at most 0.28 s inside one.
LINE_PAUSE_S = 0.33
QUIET_LEVEL = 60  # mean |sample| of a 10 ms window below which it counts as silence


def line_spans(samples: np.ndarray) -> list[tuple[int, int]]:
    """Where each script line of a fixture talk is spoken, cut in the middle of the pauses between lines."""
    window = 160
    count = len(samples) // window
    level = np.abs(samples[: count * window].astype(np.int32)).reshape(count, window).mean(axis=1)
    cuts, start = [0], None
    for i, quiet in enumerate(level < QUIET_LEVEL):
        if quiet and start is None:
            start = i
        elif not quiet and start is not None:
            if start > 0 and (i - start) * window >= LINE_PAUSE_S * 16000:
                cuts.append((start + i) // 2 * window)
            start = None
    cuts.append(len(samples))
    return list(itertools.pairwise(cuts))


def spread_order(count: int) -> list[int]:
    """Every line once, each step about 0.618 of the talk further on: any run of turns samples the whole talk."""
    stride = round(count * 0.618)
    while math.gcd(stride, count) != 1:
        stride += 1
    return [i * stride % count for i in range(count)]


def talk_layout(minutes: float) -> list[tuple[int, int, float]]:
    """The long media's order: one script line of each talk in turn, so every minute mixes the three voices.

    Each entry is (talk, line, share of the line kept): only the last line is cut short. With whole talks laid end
    to end, the first minute was one voice alone, and the voices decode at different speeds (G6.1 measured that);
    in script order, the first minute would be the talks' short greetings (141 words per minute, against 159 over
    20 minutes). In `spread_order` it is 153.
    """
    spans = [line_spans(decode_mono_16k(p)) for p in TALKS]
    target = int(minutes * 60 * 16000)
    layout: list[tuple[int, int, float]] = []
    total, turn = 0, 0
    while total < target:
        talk = turn % len(TALKS)
        line = spread_order(len(spans[talk]))[(turn // len(TALKS)) % len(spans[talk])]
        start, end = spans[talk][line]
        kept = min(end - start, target - total)
        layout.append((talk, line, kept / (end - start)))
        total += kept
        turn += 1
    return layout


def assemble_talk(minutes: float, out: Path) -> Path:
    """Long media made at bench time from the fixture talks' lines, in `talk_layout`'s order."""
    pieces = [decode_mono_16k(p) for p in TALKS]
    spans = [line_spans(p) for p in pieces]
    audio: list[np.ndarray] = []
    for talk, line, share in talk_layout(minutes):
        start, end = spans[talk][line]
        audio.append(pieces[talk][start : start + round((end - start) * share)])
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(np.concatenate(audio).tobytes())
    return out


def assembled_script(minutes: float) -> str:
    """What `assemble_talk(minutes)` says, from the fixture scripts (the last line cut by its share of words)."""
    lines = [(ROOT / "fixtures" / "scripts" / f"{p.stem}.txt").read_text().split("\n") for p in TALKS]
    lines = [[line for line in talk if line.strip()] for talk in lines]
    words: list[str] = []
    for talk, line, share in talk_layout(minutes):
        said = lines[talk][line].split()
        words += said[: round(len(said) * share)]
    return " ".join(words)
