"""Seconds of decoding per minute of media, by talk, by media length, and along one long file (G6.1's question).

Usage: nox -s experiment -- transcription_rate [REPEATS]   (default: 2; about 3 minutes on 2 cores)

One warm process, tiny.en, beam 1 (standard depth). Each fixture talk alone, then the 1- and 5-minute media the
length benchmark assembles, each decoded REPEATS times; then the 20-minute media once, with the rate of each
2-minute stretch taken from the times its segments were handed on. If the talks or the lengths decoded at
different rates, G6.1 would measure the fixture; if a long file slowed down, the streamed path would hold state.
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.media import TALKS, assemble_talk, decode_mono_16k  # noqa: E402

from autointel.model.result import Segment  # noqa: E402
from autointel.phases.transcription import Transcriber  # noqa: E402


def as_wav(samples: object, path: Path) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(samples.tobytes())  # type: ignore[attr-defined]
    return path


def main(repeats: int) -> None:
    transcriber = Transcriber(None, 2)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        media = [(talk.stem, as_wav(decode_mono_16k(talk), folder / f"{talk.stem}.wav")) for talk in TALKS]
        media += [(f"talk-{m}min", assemble_talk(m, folder / f"talk-{m}min.wav")) for m in (1, 5)]
        transcriber.transcribe(str(media[0][1]))  # warm-up, not counted
        for name, path in media:
            with wave.open(str(path)) as handle:
                seconds = handle.getnframes() / handle.getframerate()
            for _ in range(repeats):
                start = time.perf_counter()
                transcript = transcriber.transcribe(str(path))
                wall = time.perf_counter() - start
                words = sum(len(s.text.split()) for s in transcript.segments)
                print(f"{name:14s} {seconds:6.1f} s media  {wall:6.2f} s  {wall / seconds * 60:5.2f} s/min  "
                      f"{words / seconds * 60:5.1f} words/min", flush=True)
        marks: list[tuple[float, float]] = []
        long_media = assemble_talk(20, folder / "talk-20min.wav")
        start = time.perf_counter()

        def handed_on(segment: Segment) -> None:
            marks.append((segment.end_s, time.perf_counter() - start))

        transcriber.transcribe(str(long_media), on_segment=handed_on)
        wall = time.perf_counter() - start
        print(f"{'talk-20min':14s} {1200.0:6.1f} s media  {wall:6.2f} s  {wall / 20:5.2f} s/min")
        last_media, last_wall = 0.0, 0.0
        for media_s, wall_s in marks:
            if media_s - last_media >= 120.0:
                rate = (wall_s - last_wall) / ((media_s - last_media) / 60.0)
                print(f"  {last_media / 60:5.1f}-{media_s / 60:5.1f} min of media: {rate:.2f} s/min")
                last_media, last_wall = media_s, wall_s


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
