"""Shared pieces of the project's benchmarks (run with `nox -s bench`, or `pytest benchmarks`)."""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from autointel.engines.resources import Resources
from autointel.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "fixtures" / "media"
EVIDENCE = ROOT / "fixtures" / "evidence"
TALKS = (MEDIA / "city_transit.mp3", MEDIA / "energy_policy.mp4", MEDIA / "health_diet.wav")
FULL = os.environ.get("AUTOINTEL_BENCH_PROFILE", "default") == "full"


def decode_mono_16k(path: Path) -> np.ndarray:
    """Decode with PyAV (bundled by faster-whisper): no ffmpeg binary needed."""
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        chunks = [frame.to_ndarray().reshape(-1)
                  for packet in container.demux(audio=0) for decoded in packet.decode()
                  for frame in resampler.resample(decoded)]
    return np.concatenate(chunks).astype(np.int16)


def assemble_talk(minutes: float, out: Path) -> Path:
    """Long media made at bench time by repeating the fixture talks, with a second of silence between."""
    pieces = [decode_mono_16k(p) for p in TALKS]
    gap = np.zeros(16000, dtype=np.int16)
    target = int(minutes * 60 * 16000)
    audio: list[np.ndarray] = []
    total, i = 0, 0
    while total < target:
        piece = np.concatenate([pieces[i % len(pieces)], gap])
        audio.append(piece)
        total += len(piece)
        i += 1
    samples = np.concatenate(audio)[:target]
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(samples.tobytes())
    return out


@pytest.fixture(scope="session")
def bench_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-data")


@pytest.fixture(scope="session")
def shared_models(bench_data: Path) -> Iterator[Resources]:
    """Models loaded once and shared across in-process runs; every run still gets fresh stores."""
    with Resources(load_settings({}, data_dir=bench_data / "models")) as resources:
        resources.transcriber()
        resources.embedder()
        resources.fallacy_exemplars()
        resources.perspective_prototypes()
        yield resources
