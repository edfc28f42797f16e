"""Perspective coverage: which stakeholder viewpoints a talk voices, and which relevant ones it leaves out.

A category is *present* when some sentence is close to one of its prototype sentences, or when its
keywords occur and a sentence is at least loosely similar (keywords alone over-fire on words like
"local"). A category is *relevant* when its prototype centroid is reasonably close to the talk's
centroid, i.e. the talk's subject makes that viewpoint pertinent; the opposing-view category is
always relevant because a one-sided argument is the gap a briefing most needs to point out. *Missing*
= relevant and not present; if nothing is relevant (an off-topic talk), every absent category is
reported, since we cannot tell which would matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autointel.memory.embeddings import Embedder
from autointel.model import Perspectives
from autointel.phases.analysis.common import centroid, data_json, embed_sentences, normalise, split_rows
from autointel.phases.text import Sentence

PRESENT_SIMILARITY = 0.55  # a sentence this close to a prototype voices the viewpoint on its own
KEYWORD_SIMILARITY = 0.3  # with a keyword hit, this loose similarity is enough
KEYWORD_SENTENCES = 2  # ... and this many sentences with keyword hits are enough on their own
RELEVANT_SIMILARITY = 0.2
ALWAYS_RELEVANT = frozenset({"opposing view / critics"})


@dataclass(frozen=True)
class Category:
    id: str
    keywords: re.Pattern[str]
    prototypes: tuple[str, ...]


def load_categories() -> tuple[Category, ...]:
    out: list[Category] = []
    for item in data_json("perspectives.json")["categories"]:
        parts = [re.escape(k[:-1]) + r"\w*" if k.endswith("*") else re.escape(k) for k in item["keywords"]]
        out.append(Category(item["id"], re.compile(r"\b(?:" + "|".join(parts) + r")\b"), tuple(item["prototypes"])))
    return tuple(out)


@dataclass(frozen=True)
class PerspectivePrototypes:
    """The categories with their prototype embeddings: constants of the embedding model, computed once per
    loaded model (like the fallacy exemplars) instead of on every talk."""

    categories: tuple[Category, ...]
    vectors: tuple[npt.NDArray[np.float32], ...]  # one (prototypes x dim) block per category

    @classmethod
    def embedded(cls, embedder: Embedder) -> PerspectivePrototypes:
        categories = load_categories()
        every = embedder.embed([p for c in categories for p in c.prototypes])  # one batch for all categories
        *blocks, _ = split_rows(every, [len(c.prototypes) for c in categories])
        return cls(categories, tuple(blocks))


def synthesize_perspectives(sentences: Sequence[Sentence], embedder: Embedder,
                            prototypes: PerspectivePrototypes | None = None) -> Perspectives:
    """Present and missing viewpoint categories, both in the data file's fixed order; pass `prototypes` to
    reuse them across talks (read-only)."""
    if not sentences:
        return Perspectives((), ())
    prototypes = prototypes or PerspectivePrototypes.embedded(embedder)
    vectors = embed_sentences(sentences, embedder)
    talk = centroid(vectors)
    texts = [normalise(s.text) for s in sentences]
    present: list[str] = []
    relevant: list[str] = []
    for category, block in zip(prototypes.categories, prototypes.vectors, strict=True):
        best = float(np.max(vectors @ block.T))
        hits = sum(1 for t in texts if category.keywords.search(t))
        if best >= PRESENT_SIMILARITY or hits >= KEYWORD_SENTENCES or (hits and best >= KEYWORD_SIMILARITY):
            present.append(category.id)
        if category.id in ALWAYS_RELEVANT or float(centroid(block) @ talk) >= RELEVANT_SIMILARITY:
            relevant.append(category.id)
    absent = [c.id for c in prototypes.categories if c.id not in present]
    core = [c for c in relevant if c not in ALWAYS_RELEVANT]
    missing = [c for c in absent if c in relevant] if core else absent
    return Perspectives(tuple(present), tuple(missing))
