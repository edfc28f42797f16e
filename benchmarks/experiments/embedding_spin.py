"""What onnxruntime's spinning pool threads cost the decoder when a streaming follower embeds beside it.

Usage: nox -s experiment -- embedding_spin [ROUNDS]   (default 4)

Each setting runs in a fresh interpreter, both orders (off, on, on, off) so a drift of the machine shows: the
fixture talk health_diet.wav is decoded with beam 5 (experimental depth) while a thread embeds eight sentences
every 150 ms, as the analysers and fact-check shards do while transcription streams. Printed per decode: wall and
process CPU. autointel turns spinning off (`autointel.memory.embeddings.MiniLMEmbedder`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, threading, time
import onnxruntime as ort
spin, media, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Options(ort.SessionOptions):
    def add_session_config_entry(self, key, value):  # MiniLMEmbedder's own setting, replaced by this run's
        super().add_session_config_entry(key, spin if key == "session.intra_op.allow_spinning" else value)
ort.SessionOptions = Options
from autointel.memory.embeddings import MiniLMEmbedder
from autointel.phases.transcription import Transcriber
transcriber, embedder = Transcriber(cpu_threads=2), MiniLMEmbedder(threads=2)
texts = [f"sentence {i} of a talk about diet, health and the evidence behind the claims" for i in range(8)]
transcriber.transcribe(media)  # warm the model
for _ in range(rounds):
    stop = threading.Event()
    def follow():
        while not stop.is_set():
            embedder.embed(texts)
            time.sleep(0.15)
    thread = threading.Thread(target=follow)
    thread.start()
    cpu, wall = time.process_time(), time.perf_counter()
    transcriber.transcribe(media, beam_size=5)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stop.set()
    thread.join()
    print(f"spinning {'on ' if spin == '1' else 'off'}  decode wall {wall:.2f} s  process CPU {cpu:.2f} s", flush=True)
"""


def main() -> None:
    rounds = sys.argv[1] if len(sys.argv) > 1 else "4"
    media = str(ROOT / "fixtures" / "media" / "health_diet.wav")
    for spin in ("0", "1", "1", "0"):
        subprocess.run([sys.executable, "-c", CHILD, spin, media, rounds], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
