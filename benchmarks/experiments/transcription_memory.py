"""Streamed transcription against faster-whisper's whole-file path: speed, peak RSS and agreement, by media length.

Usage: nox -s experiment -- transcription_memory [MINUTES ...]   (default: 1 5 20)

Each measurement runs in a fresh interpreter (peak RSS is only comparable between fresh processes). The media is
assembled from the fixture talks as the length benchmark does. `faster-whisper` is `WhisperModel.transcribe` with
the same model, beam and VAD on the whole file; `autointel` is `Transcriber.transcribe`. Printed per length: wall
time, times real time, peak RSS of the process, and the word error rate of each against the fixture scripts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
mode, media = sys.argv[1], sys.argv[2]
from autointel.phases.transcription import Transcriber, default_model_path
if mode == "faster-whisper":
    from faster_whisper import WhisperModel
    model = WhisperModel(default_model_path(), device="cpu", compute_type="int8", cpu_threads=2)
    start = time.perf_counter()
    segments, _ = model.transcribe(media, beam_size=1, vad_filter=True, language="en",
                                   condition_on_previous_text=False)
    text = " ".join(s.text.strip() for s in segments)
else:
    transcriber = Transcriber()
    start = time.perf_counter()
    text = transcriber.transcribe(media).text
wall = time.perf_counter() - start
print(json.dumps({"wall_s": wall, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "text": text}))
"""


def main(argv: list[str]) -> int:
    from benchmarks.media import assemble_talk, assembled_script

    from autointel.phases.evaluation import word_error_rate

    lengths = [float(a) for a in argv] or [1.0, 5.0, 20.0]
    print(f"{'minutes':>7}  {'path':<15} {'wall s':>7} {'x real time':>11} {'peak RSS MB':>11} {'WER':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in lengths:
            media = assemble_talk(minutes, Path(tmp) / f"talk-{minutes:g}min.wav")
            script = assembled_script(minutes)
            for mode in ("faster-whisper", "autointel"):
                out = subprocess.run([sys.executable, "-c", CHILD, mode, str(media)], capture_output=True,
                                     text=True, check=True, cwd=ROOT)
                row = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{minutes:>7g}  {mode:<15} {row['wall_s']:>7.2f} {minutes * 60 / row['wall_s']:>11.1f} "
                      f"{row['peak_rss_mb']:>11.0f} {word_error_rate(script, row['text']):>6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
