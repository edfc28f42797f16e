"""A small word-count pipeline that is not autointel, benchmarked by autointel's harness (docs/harness.md).

Three phases (read, tokenize, count) over fixed-size chunks of a text file; tokenizing a chunk waits `DELAY_S`
and counting one half of that, as if each went to a slow service. Two flags of its own: `parallel_tokenize`
tokenizes the chunks in a thread pool, `parallel_count` counts them in one. Whatever the flags, the work is the
same: the digest is the word counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autointel.bench.pipeline import FunctionPipeline, PhaseClock
from autointel.model.combo import FlagSpace

SPACE = FlagSpace(factors=("parallel_tokenize", "parallel_count"), engines=("threads",))
CHUNK_CHARS = 100
DELAY_S = 0.01
WORKERS = 4


def wordcount(source: str, flags: Mapping[str, bool], engine: str, clock: PhaseClock) -> dict[str, object]:
    with clock.phase("read"):
        text = Path(source).read_text(encoding="utf-8")
        chunks = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
    with clock.phase("tokenize"):
        words = _map(_tokenize, chunks, flags["parallel_tokenize"])
    with clock.phase("count"):
        counts = sum(_map(_count, words, flags["parallel_count"]), Counter())
    return {"words": sum(counts.values()), "top": counts.most_common(5)}


def _tokenize(chunk: str) -> list[str]:
    time.sleep(DELAY_S)
    return [w.strip(".,;:!?\"'()").lower() for w in chunk.split() if w.strip(".,;:!?\"'()")]


def _count(words: list[str]) -> Counter[str]:
    time.sleep(DELAY_S / 2)
    return Counter(words)


def _map(function, items, parallel):  # type: ignore[no-untyped-def]
    if not parallel:
        return [function(item) for item in items]
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(function, items))


def pipeline() -> FunctionPipeline:
    """The pipeline as the harness takes it; a worker process rebuilds it from `ref_path`."""
    return FunctionPipeline(SPACE, wordcount, settings={"chunk_chars": CHUNK_CHARS, "delay_s": DELAY_S},
                            ref_path="wordcount:pipeline")
