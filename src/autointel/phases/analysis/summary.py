"""Extractive summary: TextRank centrality over embedding similarity, then MMR for diversity.

Centrality finds the sentences most of the talk agrees with; maximal marginal relevance stops the
summary from repeating the same point three times. Selected sentences keep their transcript order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from autointel.memory.embeddings import Embedder
from autointel.phases.analysis.common import embed_sentences
from autointel.phases.text import Sentence

DAMPING = 0.85
ITERATIONS = 100
MMR_LAMBDA = 0.6
MIN_WORDS = 6  # shorter sentences ("Thank you.") are skipped unless nothing else is left


def summarize(sentences: Sequence[Sentence], embedder: Embedder, max_sentences: int = 3) -> str:
    """Pick up to `max_sentences` central yet mutually different sentences, in original order."""
    if not sentences or max_sentences <= 0:
        return ""
    candidates = [i for i, s in enumerate(sentences) if len(s.text.split()) >= MIN_WORDS]
    if not candidates:
        candidates = list(range(len(sentences)))
    if len(candidates) <= max_sentences:
        return " ".join(sentences[i].text for i in candidates)
    vectors = embed_sentences([sentences[i] for i in candidates], embedder).astype(np.float64)
    similarity = np.clip(vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(similarity, 0.0)
    scores = textrank(similarity)
    chosen = mmr(scores, vectors @ vectors.T, max_sentences)
    return " ".join(sentences[candidates[i]].text for i in sorted(chosen))


def textrank(similarity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """PageRank over a weighted undirected graph by a fixed number of power iterations."""
    n = len(similarity)
    sums = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, sums, out=np.full_like(similarity, 1.0 / n), where=sums > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        rank = (1 - DAMPING) / n + DAMPING * (transition.T @ rank)
    return rank


def mmr(scores: npt.NDArray[np.float64], similarity: npt.NDArray[np.float64], k: int) -> list[int]:
    """Greedy maximal marginal relevance; ties go to the earlier sentence."""
    top = float(scores.max())
    relevance = scores / top if top > 0 else np.ones_like(scores)
    chosen: list[int] = []
    while len(chosen) < min(k, len(scores)):
        best, best_value = -1, -np.inf
        for i in range(len(scores)):
            if i in chosen:
                continue
            redundancy = max((float(similarity[i, j]) for j in chosen), default=0.0)
            value = MMR_LAMBDA * float(relevance[i]) - (1 - MMR_LAMBDA) * redundancy
            if value > best_value + 1e-12:
                best, best_value = i, value
        chosen.append(best)
    return chosen
