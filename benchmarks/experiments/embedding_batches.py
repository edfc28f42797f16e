"""How the embedder's batching changes its speed and memory: batch size, and texts sorted by length or not.

Usage: nox -s experiment -- embedding_batches [REPEAT]   (default 10: the texts are embedded REPEAT times over)

The texts are what a run embeds: the evidence corpus's passages (`split_documents`) and the fixture talks'
sentences. Each configuration runs in a fresh interpreter, with a fresh onnxruntime session, because the session's
memory arena only grows. Printed per configuration: the best of three wall times, the RSS growth over the
embedding (the arena's size), and the largest difference from embedding every text alone (0.0: the vectors do not
depend on the batching).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
from pathlib import Path
import numpy as np
from autointel.memory.chunking import split_documents
from autointel.memory.embeddings import MiniLMEmbedder
from autointel.model import Segment, Transcript
from autointel.phases.text import split_sentences

root, batch, sort, repeat = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "sorted", int(sys.argv[4])
texts = [p.text for p in split_documents(root / "fixtures" / "evidence")]
for script in sorted((root / "fixtures" / "scripts").glob("*.txt")):
    talk = script.read_text()
    texts += [s.text for s in split_sentences(Transcript(talk, (Segment(0.0, 1.0, talk),), "en", 1.0))]
texts *= repeat

def rss_mib():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

embedder = MiniLMEmbedder(batch_size=batch)
if not sort:  # the batching before length sorting: consecutive texts, each batch padded to its longest
    def embed(items):
        batches = [embedder._tokenizer.encode_batch(items[i:i + batch]) for i in range(0, len(items), batch)]
        return np.concatenate([embedder._embed_batch([e.ids for e in b]) for b in batches])
else:
    embed = embedder.embed
before = rss_mib()
times = []
for _ in range(3):
    start = time.perf_counter()
    vectors = embed(texts)
    times.append(time.perf_counter() - start)
grown = rss_mib() - before
alone = MiniLMEmbedder(batch_size=1)
reference = np.concatenate([alone.embed([t]) for t in texts[: len(texts) // repeat]])
diff = float(np.abs(vectors[: len(reference)] - reference).max())
print(json.dumps({"texts": len(texts), "best_s": min(times), "rss_growth_mib": grown, "max_diff": diff}))
"""


def measure(batch: int, order: str, repeat: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(batch), order, str(repeat)],
                         capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"{'batch':>5}  {'order':8}  {'texts':>5}  {'best s':>7}  {'RSS growth MiB':>14}  max |diff| vs alone")
    for batch, order in ((64, "unsorted"), (64, "sorted"), (16, "sorted"), (8, "unsorted"), (8, "sorted"),
                         (4, "sorted"), (1, "sorted")):
        r = measure(batch, order, repeat)
        print(f"{batch:>5}  {order:8}  {r['texts']:>5.0f}  {r['best_s']:>7.3f}  {r['rss_growth_mib']:>14.0f}  "
              f"{r['max_diff']:.1e}")


if __name__ == "__main__":
    main()
