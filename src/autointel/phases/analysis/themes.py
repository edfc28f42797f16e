"""Themes: agglomerative clustering of sentence embeddings, labelled by TF-IDF keywords.

Ward linkage on unit vectors is deterministic (no random seed) and gives balanced clusters;
each cluster is treated as one document for TF-IDF so that its label names what sets it apart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from autointel.memory.embeddings import Embedder
from autointel.model import Theme
from autointel.phases.analysis.common import content_words, embed_sentences, stem, stopwords
from autointel.phases.text import Sentence

KEYWORDS_PER_THEME = 4
LABEL_WORDS = 2
MIN_CLUSTER_SHARE = 0.05  # clusters smaller than this share of the talk are noise, not themes


def extract_themes(
    sentences: Sequence[Sentence], embedder: Embedder, max_themes: int = 4
) -> tuple[Theme, ...]:
    """Up to `max_themes` themes, heaviest first; weight = share of the talk's sentences."""
    if not sentences or max_themes <= 0:
        return ()
    stop = stopwords()
    surface = [content_words(s.text, stop) for s in sentences]
    tokens = [[stem(w) for w in words] for words in surface]
    shown = _surface_forms(surface)
    labels = _cluster(sentences, embedder, max_themes)
    clusters: dict[int, list[int]] = {}
    for index, cluster in enumerate(labels):
        clusters.setdefault(cluster, []).append(index)
    groups = sorted(clusters.values(), key=lambda members: (-len(members), members[0]))
    min_size = max(1, math.ceil(MIN_CLUSTER_SHARE * len(sentences))) if len(groups) > 1 else 1
    groups = [g for g in groups if len(g) >= min_size] or groups[:1]
    keywords = _keywords(groups, tokens)
    themes: list[Theme] = []
    seen: set[str] = set()
    for members, stems in zip(groups, keywords, strict=True):
        if not stems:
            continue
        words = [shown[t] for t in stems]
        label = " / ".join(words[:LABEL_WORDS])
        if label in seen:
            continue
        seen.add(label)
        themes.append(Theme(label, tuple(words), round(len(members) / len(sentences), 4)))
    return tuple(themes)


def _cluster(sentences: Sequence[Sentence], embedder: Embedder, max_themes: int) -> list[int]:
    if len(sentences) < 3 or max_themes == 1:
        return [0] * len(sentences)
    vectors = embed_sentences(sentences, embedder).astype(np.float64)
    tree = linkage(vectors, method="ward")
    return [int(x) for x in fcluster(tree, t=min(max_themes, len(sentences)), criterion="maxclust")]


def _surface_forms(surface: list[list[str]]) -> dict[str, str]:
    """Each stem's most frequent written form (ties: shortest, then alphabetical) for display."""
    counts = Counter(w for words in surface for w in words)
    best: dict[str, str] = {}
    for word, count in counts.items():
        key = stem(word)
        current = best.get(key)
        if current is None or (-count, len(word), word) < (-counts[current], len(current), current):
            best[key] = word
    return best


def _keywords(groups: list[list[int]], tokens: list[list[str]]) -> list[list[str]]:
    """Top TF-IDF terms per cluster, idf over clusters, ties broken by overall frequency then alphabet."""
    counts = [Counter(t for i in members for t in tokens[i]) for members in groups]
    overall = Counter(t for toks in tokens for t in toks)
    document_frequency = Counter(t for c in counts for t in c)
    n = len(groups)
    out: list[list[str]] = []
    for count in counts:
        total = sum(count.values()) or 1
        scored = [
            ((c / total) * (math.log((1 + n) / (1 + document_frequency[t])) + 1.0), overall[t], t)
            for t, c in count.items()
        ]
        scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
        out.append([t for _, _, t in scored[:KEYWORDS_PER_THEME]])
    return out
