"""Keyphrase candidates: runs of 1-3 words a reader would name as a topic ("public transit", "budget deficit").

There is no part-of-speech tagger offline, so noun phrases are approximated: a phrase never crosses a stop
word, a number, punctuation, a verb form, an evaluative adjective ("average", "largest") or a generic filler
word. What is left is mostly nouns with their classifying modifiers, which is what a person would call a theme.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from autointel.phases.analysis.common import data_lines, normalise, stem, stopwords
from autointel.phases.text import Sentence

MAX_WORDS = 3
MIN_CHARS = 3
# "-ly" words that are nouns, not adverbs.
_LY_NOUNS = frozenset({"family", "assembly", "supply", "monopoly", "anomaly", "rally", "ally", "july", "italy",
                       "butterfly", "belly", "bully", "jelly", "lily", "holly", "reply", "fly"})
# "-est" words that are nouns, not superlatives.
_EST_NOUNS = frozenset({"interest", "forest", "test", "protest", "request", "west", "harvest", "chest", "contest",
                        "guest", "nest", "rest", "quest", "arrest", "conquest", "inquest", "manifest", "midwest",
                        "southwest", "northwest", "priest", "pest", "crest"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\S")


@dataclass(frozen=True)
class Lexicon:
    """The word lists that decide where a keyphrase may start, continue and end."""

    breaks: frozenset[str]  # stop words, verb forms, evaluative adjectives and filler: never inside a phrase

    @classmethod
    def load(cls) -> Lexicon:
        verbs = {form for base in data_lines("keyphrase_verbs.txt") for form in verb_forms(base)}
        listed = (data_lines(f"keyphrase_{name}.txt") for name in ("irregular", "adjectives", "filler"))
        return cls(frozenset(stopwords().union(verbs, *listed)))

    def is_break(self, word: str) -> bool:
        if word in self.breaks or len(word) < MIN_CHARS or "'" in word:
            return True
        if word.endswith("ly") and word not in _LY_NOUNS:  # adverbs: "really", "eventually"
            return True
        if word.endswith(("ous", "ful")) and len(word) > 5:  # adjectives: "dangerous", "wonderful"
            return True
        return word.endswith("est") and len(word) > 5 and word not in _EST_NOUNS  # superlatives: "largest"


@dataclass(frozen=True)
class Candidate:
    """A keyphrase, its stems (for deduplication) and the sentences it occurs in, by index."""

    phrase: str
    stems: frozenset[str]
    sentences: tuple[int, ...]


def verb_forms(base: str) -> set[str]:
    """The regular inflections of a verb: want -> wants, wanted, wanting; stop -> stopped; try -> tried."""
    forms = {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
    if base.endswith("e"):
        forms.add(base[:-1] + "ing")
    if base.endswith("y"):
        forms |= {base[:-1] + "ied", base[:-1] + "ies"}
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}  # stop -> stopped, shut -> shutting
    return forms


def candidates(sentences: Sequence[Sentence], lexicon: Lexicon) -> list[Candidate]:
    """Every keyphrase of the talk in order of first mention, with the sentences that mention it."""
    where: dict[str, list[int]] = {}
    for index, sentence in enumerate(sentences):
        for run in _runs(sentence.text, lexicon):
            for phrase in _phrases(run):
                mentions = where.setdefault(phrase, [])
                if not mentions or mentions[-1] != index:
                    mentions.append(index)
    return [Candidate(p, frozenset(stem(w) for w in p.split()), tuple(ix)) for p, ix in where.items()]


def _runs(text: str, lexicon: Lexicon) -> list[list[str]]:
    """Maximal stretches of lower-cased words that may belong to one phrase."""
    runs: list[list[str]] = [[]]
    for token in _TOKEN.findall(normalise(text)):
        if not token[0].isalpha() or lexicon.is_break(token):
            runs.append([])
        else:
            runs[-1].append(token)
    return [run for run in runs if run]


def _phrases(run: list[str]) -> list[str]:
    """Every stretch of 1 to MAX_WORDS consecutive words of a run."""
    return [" ".join(run[start:start + size]) for size in range(1, MAX_WORDS + 1)
            for start in range(len(run) - size + 1)]
