"""Themes: keyphrases from the talk, ranked by how central they are to it and kept diverse by MMR.

A theme is something a person would name ("public transit"), not a pair of unrelated frequent words, so
the labels are noun-phrase candidates taken from the text (see `keyphrases`). Each is scored by the cosine
similarity of its embedding to the talk's embedding (the mean sentence vector); maximal marginal relevance
then skips phrases too close to one already chosen, and a phrase that contains or is contained in a chosen
one is a duplicate. A theme's weight is the share of sentences that belong to it (those that say the
phrase, else those whose embedding is nearest to it), and its keywords are the other keyphrases said in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from autointel.memory.embeddings import Embedder
from autointel.model import Theme
from autointel.phases.analysis.common import centroid, embed_sentences
from autointel.phases.analysis.keyphrases import Candidate, Lexicon, candidates
from autointel.phases.text import Sentence

KEYWORDS_PER_THEME = 4
MAX_CANDIDATES = 300  # the most often said phrases of a long talk; every phrase of a short one
MMR_LAMBDA = 0.6
REPEAT_BONUS = 0.1  # relevance grows with the log of the number of sentences that say the phrase
ASSIGN_FLOOR = 0.15  # a sentence less similar than this to every theme belongs to none ("Thank you.")

Matrix = npt.NDArray[np.float64]


def extract_themes(
    sentences: Sequence[Sentence], embedder: Embedder, max_themes: int = 4
) -> tuple[Theme, ...]:
    """Up to `max_themes` keyphrase themes, most central first; weight = share of sentences nearest to it."""
    if not sentences or max_themes <= 0:
        return ()
    pool = _shortlist(candidates(sentences, Lexicon.load()))
    if not pool:
        return ()
    sentence_vectors = embed_sentences(sentences, embedder).astype(np.float64)
    phrase_vectors = embedder.embed([c.phrase for c in pool]).astype(np.float64)
    talk = centroid(sentence_vectors.astype(np.float32)).astype(np.float64)
    relevance = phrase_vectors @ talk * np.array([1.0 + REPEAT_BONUS * np.log(len(c.sentences)) for c in pool])
    chosen = _select(pool, relevance, phrase_vectors @ phrase_vectors.T, max_themes)
    saying = [[rank for rank, i in enumerate(chosen) if s in pool[i].sentences] for s in range(len(sentences))]
    nearest = _assign(sentence_vectors, phrase_vectors[chosen], saying)
    themes: list[Theme] = []
    for rank, index in enumerate(chosen):
        members = [i for i, theme in enumerate(nearest) if theme == rank]
        related = tuple(_display(pool[i].phrase, sentences, pool[i].sentences)
                        for i in _related(pool, relevance, index, set(members)))
        label = _display(pool[index].phrase, sentences, pool[index].sentences)
        themes.append(Theme(label, related, round(len(members) / len(sentences), 4)))
    return tuple(themes)


def _shortlist(pool: list[Candidate]) -> list[Candidate]:
    """The most mentioned candidates (ties: first mentioned), so a long talk embeds a bounded number."""
    ranked = sorted(range(len(pool)), key=lambda i: (-len(pool[i].sentences), i))[:MAX_CANDIDATES]
    return [pool[i] for i in sorted(ranked)]


def _overlaps(a: Candidate, b: Candidate) -> bool:
    """One phrase repeats the other ("bus" and "buses", "transit" and "public transit")."""
    return a.stems <= b.stems or b.stems <= a.stems


def _select(pool: list[Candidate], relevance: npt.NDArray[np.float64], similarity: Matrix, k: int) -> list[int]:
    """Greedy MMR over the candidates, skipping duplicates; ties go to the earlier-mentioned phrase."""
    chosen: list[int] = []
    while len(chosen) < k:
        best, best_value = -1, -np.inf
        for i in range(len(pool)):
            if i in chosen or any(_overlaps(pool[i], pool[j]) for j in chosen):
                continue
            redundancy = max((float(similarity[i, j]) for j in chosen), default=0.0)
            value = MMR_LAMBDA * float(relevance[i]) - (1 - MMR_LAMBDA) * redundancy
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
    return chosen


def _assign(sentence_vectors: Matrix, theme_vectors: Matrix, saying: list[list[int]]) -> list[int]:
    """Each sentence's theme (its rank): the nearest of those it says, else the nearest; -1 when close to none."""
    similarity = sentence_vectors @ theme_vectors.T
    out: list[int] = []
    for i, said in enumerate(saying):
        options = said or list(range(theme_vectors.shape[0]))
        best = max(options, key=lambda rank: (float(similarity[i, rank]), -rank))
        out.append(best if said or similarity[i, best] >= ASSIGN_FLOOR else -1)
    return out


def _related(pool: list[Candidate], relevance: npt.NDArray[np.float64], label: int, members: set[int]) -> list[int]:
    """The most central other keyphrases said in the theme's sentences, none repeating the label or another."""
    order = sorted(range(len(pool)), key=lambda i: (-float(relevance[i]), i))
    picked: list[int] = []
    for i in order:
        if len(picked) == KEYWORDS_PER_THEME:
            break
        if members.isdisjoint(pool[i].sentences) or any(_overlaps(pool[i], pool[j]) for j in (label, *picked)):
            continue
        picked.append(i)
    return picked


def _display(phrase: str, sentences: Sequence[Sentence], mentions: Sequence[int]) -> str:
    """The phrase as written mid-sentence ("Riverton"), lower case when that is ambiguous or never seen."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    pattern = re.compile(rf"(?<![\w'-]){body}(?![\w'-])", re.IGNORECASE)
    forms = {" ".join(m.group(0).split()) for i in mentions for m in pattern.finditer(sentences[i].text)
             if sentences[i].text[:m.start()].strip(" \"'(")}
    return forms.pop() if len(forms) == 1 else phrase
