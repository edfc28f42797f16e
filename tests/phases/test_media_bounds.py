"""Media are bounded by the audio they decode to, not by what their container header says (issue 32, item 4),
and the decoder stops between blocks when the run is interrupted (item 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autointel.engines.resources import Resources
from autointel.errors import InputError
from autointel.phases.transcription import DecodeBounds, DecodeCancelled
from tests.helpers import talk_media


def live_webm(source: Path, target: Path) -> Path:
    """A WebM as a browser records it: Opus in a live Matroska stream, with no duration anywhere."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format="webm", options={"live": "1"}) as out:
        stream = out.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for frame in inp.decode(audio=0):
            frame.pts = None
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with av.open(str(target)) as check:
        assert check.duration is None and check.streams.audio[0].duration is None
    return target


def run_json(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOINTEL_ENGINE": "pipeline"}
    return subprocess.run([sys.executable, "-m", "autointel.cli", "run", *args, "--depth", "standard",
                           "--format", "json"], capture_output=True, text=True, env=env, timeout=300, check=False)


def test_a_webm_without_a_duration_is_measured_not_refused(tmp_path: Path) -> None:
    media = live_webm(talk_media("health_diet"), tmp_path / "recorded.webm")
    proc = run_json(str(media), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert 50 < result["media"]["duration_s"] < 90
    limited = run_json(str(media), "--data-dir", str(tmp_path / "data"), "--max-duration", "10")
    assert limited.returncode == 2 and "max-duration" in limited.stderr
    assert len([line for line in limited.stderr.splitlines() if line.strip()]) == 1


def test_the_duration_reported_is_the_decoded_audio(tmp_path: Path) -> None:
    """An mp3 with garbage after its frames: its header-based estimate grows with the file, its audio does not."""
    original = talk_media("city_transit")
    padded = tmp_path / "padded.mp3"
    padded.write_bytes(original.read_bytes() + os.urandom(4 * original.stat().st_size))
    proc = run_json(str(padded), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    plain = run_json(str(original), "--data-dir", str(tmp_path / "data2"))
    assert abs(json.loads(proc.stdout)["media"]["duration_s"] - json.loads(plain.stdout)["media"]["duration_s"]) < 2.0


def test_the_decoder_stops_at_the_duration_limit(resources: Resources) -> None:
    with pytest.raises(InputError, match="decodes to more than the --max-duration limit of 5 s"):
        resources.transcriber().transcribe(str(talk_media("city_transit")), bounds=DecodeBounds(max_duration_s=5.0))


def test_the_decoder_stops_between_blocks_when_interrupted(resources: Resources) -> None:
    decoded: list[object] = []
    with pytest.raises(DecodeCancelled):
        resources.transcriber().transcribe(str(talk_media("city_transit")), on_segment=decoded.append,
                                           bounds=DecodeBounds(stop=lambda: True))
    assert decoded == []  # nothing was decoded after the stop


def long_wav(target: Path, repeats: int = 2) -> Path:
    """The three fixture talks, `repeats` times over (several minutes of speech)."""
    import wave

    from autointel.phases.audio import SAMPLE_RATE, decode_blocks

    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for _ in range(repeats):
            for stem in ("city_transit", "energy_policy", "health_diet"):
                for block in decode_blocks(str(talk_media(stem))):
                    out.writeframes((block.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return target


@pytest.mark.parametrize("engine", ["pipeline", "flow"])
def test_ctrl_c_stops_the_decoder_and_a_second_one_is_handled(engine: str, tmp_path: Path) -> None:
    import signal
    import time

    media = long_wav(tmp_path / "long.wav")
    env = {**os.environ, "AUTOINTEL_ENGINE": engine}
    proc = subprocess.Popen([sys.executable, "-m", "autointel.cli", "run", str(media), "--depth", "standard",
                             "--data-dir", str(tmp_path / "data")], stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(12)  # imports and models loaded; several minutes of speech still to decode
    assert proc.poll() is None
    interrupted = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert time.monotonic() - interrupted < 15  # the decoder stopped between blocks, not at the end
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "autointel: interrupted; stores were closed"
