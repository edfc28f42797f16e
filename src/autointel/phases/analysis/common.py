"""Small helpers shared by the analysis modules: data files, tokens and sentence embeddings.

Data files are read on every call (they are tiny); nothing is cached at module level so that
results depend on the inputs alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

from autointel.memory.embeddings import Embedder, Vectors
from autointel.phases.text import Sentence

_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " ", "\u2013": " "})


def data_text(name: str) -> str:
    """The text of a file in autointel/data/analysis."""
    return (resources.files("autointel") / "data" / "analysis" / name).read_text(encoding="utf-8")


def data_json(name: str) -> Any:
    return json.loads(data_text(name))


def data_lines(name: str) -> list[str]:
    """Non-blank, non-comment lines of a data file."""
    return [line.strip() for line in data_text(name).splitlines() if line.strip() and not line.startswith("#")]


def stopwords() -> frozenset[str]:
    return frozenset(data_lines("stopwords.txt"))


def normalise(text: str) -> str:
    """Lower-case with straight apostrophes and single spaces, as every regex here expects."""
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def words(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept so that "don't" stays one token)."""
    return _WORD.findall(normalise(text))


def content_words(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in words(text) if w not in stop and len(w) > 2 and not w.startswith("'")]


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match plural/verb forms of theme keywords."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("us", "x", "ch", "sh")):
        return word[:-2]  # buses, taxes, churches
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def embed_sentences(sentences: Sequence[Sentence], embedder: Embedder) -> Vectors:
    return embedder.embed([s.text for s in sentences])


def split_rows(vectors: Vectors, sizes: Sequence[int]) -> list[Vectors]:
    """Consecutive blocks of `sizes` rows, then the rows left over: the groups of texts embedded in one batch."""
    return list(np.split(vectors, np.cumsum(sizes)))


def centroid(vectors: Vectors) -> Vectors:
    """The L2-normalised mean row (zeros for an empty matrix)."""
    if len(vectors) == 0:
        return np.zeros((vectors.shape[1] if vectors.ndim == 2 else 0,), dtype=np.float32)
    mean: Vectors = vectors.mean(axis=0).astype(np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / np.float32(norm) if norm > 0 else mean
