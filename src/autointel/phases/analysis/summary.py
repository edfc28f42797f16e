"""Extractive summary: TextRank centrality over embedding similarity, then MMR for diversity.

Centrality finds the sentences most of the talk agrees with; maximal marginal relevance stops the
summary from repeating the same point three times. Selected sentences keep their transcript order, and
only whole sentences are quoted: a piece of a run-on cut at a segment boundary (`Sentence.fragment`) joined
to another would read as a sentence nobody said.
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
    """Pick up to `max_sentences` central yet mutually different whole sentences, in original order."""
    candidates = quotable(sentences)
    if not candidates or max_sentences <= 0:
        return ""
    if len(candidates) <= max_sentences:
        return " ".join(sentences[i].text for i in candidates)
    scores, similarity = centrality([sentences[i] for i in candidates], embedder)
    chosen = mmr(scores, similarity, max_sentences)
    return " ".join(sentences[candidates[i]].text for i in sorted(chosen))


def quotable(sentences: Sequence[Sentence]) -> list[int]:
    """Indexes of the whole sentences worth quoting: long enough ones, or any whole one if none is."""
    whole = [i for i, s in enumerate(sentences) if not s.fragment]
    long_enough = [i for i in whole if len(sentences[i].text.split()) >= MIN_WORDS]
    return long_enough or whole


def centrality(
    sentences: Sequence[Sentence], embedder: Embedder
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """TextRank score of each sentence and the cosine similarity matrix it was computed from."""
    vectors = embed_sentences(sentences, embedder).astype(np.float64)
    cosine = vectors @ vectors.T
    graph = np.clip(cosine, 0.0, None)
    np.fill_diagonal(graph, 0.0)
    return textrank(graph), cosine


def textrank(similarity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """PageRank over a weighted undirected graph by a fixed number of power iterations."""
    n = len(similarity)
    sums = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, sums, out=np.full_like(similarity, 1.0 / n), where=sums > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        rank = (1 - DAMPING) / n + DAMPING * (transition.T @ rank)
    return rank


def mmr(
    scores: npt.NDArray[np.float64], similarity: npt.NDArray[np.float64], k: int, weight: float = MMR_LAMBDA
) -> list[int]:
    """Greedy maximal marginal relevance (`weight` on relevance, the rest on novelty); ties go to the earlier."""
    top = float(scores.max())
    relevance = scores / top if top > 0 else np.ones_like(scores)
    chosen: list[int] = []
    while len(chosen) < min(k, len(scores)):
        best, best_value = -1, -np.inf
        for i in range(len(scores)):
            if i in chosen:
                continue
            redundancy = max((float(similarity[i, j]) for j in chosen), default=0.0)
            value = weight * float(relevance[i]) - (1 - weight) * redundancy
            if value > best_value + 1e-12:
                best, best_value = i, value
        chosen.append(best)
    return chosen
