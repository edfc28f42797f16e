"""What a claim and one evidence sentence share, as numbers a small learned model can weigh.

Embedding similarity alone calls "opened in 1952" and "opened in 1968" the same sentence, and calls
a sentence about a different film "close" when it shares a genre. So beside similarity we measure
whether the claim's own words and names are in the evidence (is it about the same thing?), whether
stated quantities agree, conflict or only overlap, and whether one side negates or reverses the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from autointel.phases.verification.numbers import Quantity, quantities, relation, units_compatible

PAIR_FEATURES = (
    "similarity", "retrieval", "coverage", "entity_coverage", "missing", "extra",
    "numbers_agree", "numbers_conflict", "numbers_overlap", "numbers_unmatched",
    "negation_mismatch", "direction_clash", "antonym", "claim_has_number",
)
# What the NLI cross-encoder says of the top evidence (see `nli_features`): the features that read meaning.
NLI_FEATURES = ("nli_entail_max", "nli_contra_max", "nli_neutral_min", "nli_entail_best", "nli_contra_best")
FEATURES = PAIR_FEATURES + NLI_FEATURES

STOPWORDS = frozenset(
    " ".join((
        "a an the and or but if of to in on at by for with from as into onto about than then that this these",
        "those it its is are was were be been being has have had do does did will would shall should can could",
        "may might must he she they them his her their there here who whom whose which what when where why how",
        "also only just very so such not no nor never more most less least over under up down out off after",
        "before between during since until while both each either neither all any some many much few other",
        "another own same s t",
    )).split(" ")
)
NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without|cannot|n't|isn't|aren't|"
                      r"wasn't|weren't|don't|doesn't|didn't|won't|hasn't|haven't|hadn't|can't|couldn't|"
                      r"failed to|unable to|no longer|lack|lacks|lacked)\b")
UP = re.compile(r"\b(?:increase[sd]?|increasing|rise|rises|rose|risen|grew|grow|grows|growing|higher|gain(?:ed|s)?|"
                r"doubled|tripled|expanded|climbed|jumped|surged|boosted|raised|up)\b")
DOWN = re.compile(r"\b(?:decrease[sd]?|decreasing|fall|falls|fell|fallen|drop|drops|dropped|declined?|declines|"
                  r"declining|shrank|shrunk|lower|halved|reduced|plunged|slumped|lost|down)\b")
ANTONYMS = (
    ("increase", "decrease"), ("rise", "fall"), ("win", "lose"), ("won", "lost"), ("alive", "dead"),
    ("male", "female"), ("man", "woman"), ("men", "women"), ("positive", "negative"), ("success", "failure"),
    ("successful", "unsuccessful"), ("before", "after"), ("first", "last"), ("largest", "smallest"),
    ("highest", "lowest"), ("best", "worst"), ("early", "late"), ("earlier", "later"), ("north", "south"),
    ("east", "west"), ("public", "private"), ("major", "minor"), ("legal", "illegal"), ("true", "false"),
    ("older", "younger"), ("oldest", "youngest"), ("more", "less"), ("more", "fewer"), ("above", "below"),
    ("open", "closed"), ("born", "died"), ("start", "end"), ("began", "ended"), ("accept", "reject"),
    ("accepted", "rejected"), ("approve", "oppose"), ("support", "oppose"), ("include", "exclude"),
    ("favorable", "unfavorable"), ("good", "bad"), ("love", "hate"), ("same", "different"),
    ("fiction", "nonfiction"), ("domestic", "foreign"), ("ancient", "modern"), ("minimum", "maximum"),
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+|\b\d[\d,.]*\b")


@dataclass(frozen=True)
class Pair:
    """One claim aligned with one evidence sentence, with the quantities that drove the features."""

    sentence: str
    similarity: float
    retrieval: float
    vector: tuple[float, ...]
    agree: tuple[tuple[Quantity, Quantity], ...]
    conflict: tuple[tuple[Quantity, Quantity], ...]
    negation_mismatch: bool
    direction_clash: bool

    def feature(self, name: str) -> float:
        return self.vector[FEATURES.index(name)]


def pair_features(claim: str, sentence: str, passage: str, similarity: float, retrieval: float) -> Pair:
    """Features of `claim` against the aligned `sentence` (quantities are read from the whole passage)."""
    claim_words, evidence_words = content_words(claim), content_words(passage)
    coverage = len(claim_words & evidence_words) / len(claim_words) if claim_words else 0.0
    missing = len(claim_words - evidence_words)
    extra = len(content_words(sentence) - claim_words) / max(len(content_words(sentence)), 1)
    names = _names(claim)
    passage_lower = passage.lower()
    entity = sum(n.lower() in passage_lower for n in names) / len(names) if names else coverage
    claimed = [q for q in quantities(claim) if not (q.kind == "year" and q.bound == "anchor")]
    agree, conflict, overlap, unmatched = _compare_numbers(claimed, quantities(passage))
    negation = _negated(claim) != _negated(sentence)
    clash = _direction_clash(claim, sentence)
    antonym = _antonym(claim.lower(), sentence.lower())
    vector: tuple[float, ...] = (
        similarity, retrieval, coverage, entity, min(missing, 6) / 6, extra,
        float(bool(agree)), float(bool(conflict)), float(overlap > 0), float(unmatched > 0),
        float(negation), float(clash), float(antonym), float(bool(claimed)),
        *(0.0 for _ in NLI_FEATURES),
    )
    return Pair(sentence, similarity, retrieval, vector, agree, conflict, negation, clash)


def with_nli(pair: Pair, probabilities: Sequence[Sequence[float]], best: int) -> Pair:
    """`pair` with the NLI features appended: rows are (entailment, neutral, contradiction) per premise,
    `best` the row of the passage the pair was built from."""
    rows = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    nli = (float(rows[:, 0].max()), float(rows[:, 2].max()), float(rows[:, 1].min()),
           float(rows[best, 0]), float(rows[best, 2]))
    return replace(pair, vector=pair.vector[: len(PAIR_FEATURES)] + nli)


def empty_features() -> tuple[float, ...]:
    """The feature vector of 'no evidence at all'."""
    return tuple(0.0 for _ in FEATURES)


def content_words(text: str) -> frozenset[str]:
    """Lower-cased, lightly stemmed words that carry meaning (no stopwords)."""
    return frozenset(_stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _names(text: str) -> list[str]:
    """Capitalised words after the first and numbers: the claim's named things."""
    return [m.group().rstrip(".,") for m in _NAME.finditer(text.strip()) if m.group().lower() not in STOPWORDS]


def _compare_numbers(
    claimed: Sequence[Quantity], found: Sequence[Quantity]
) -> tuple[tuple[tuple[Quantity, Quantity], ...], tuple[tuple[Quantity, Quantity], ...], int, int]:
    """(agreeing pairs, conflicting pairs, overlapping count, unmatched count) per claim quantity."""
    agree: list[tuple[Quantity, Quantity]] = []
    conflict: list[tuple[Quantity, Quantity]] = []
    overlap = unmatched = 0
    for q in claimed:
        comparable = sorted((e for e in found if units_compatible(q, e)), key=lambda e: _distance(q, e))
        relations = [(relation(q, e), e) for e in comparable[:1]]  # the evidence figure closest in size
        if not relations:
            unmatched += 1
        elif any(r == "agree" for r, _ in relations):
            agree.append((q, next(e for r, e in relations if r == "agree")))
        elif any(r == "overlap" for r, _ in relations):
            overlap += 1
        else:
            conflict.append((q, relations[0][1]))
    return tuple(agree), tuple(conflict), overlap, unmatched


def _distance(a: Quantity, b: Quantity) -> float:
    """How far apart two figures are in size (log ratio), so '93.25 million' meets '93.4', not '74.8'."""
    x, y = abs(a.value), abs(b.value)
    return abs(float(np.log((x + 1e-9) / (y + 1e-9))))


def _negated(text: str) -> bool:
    """Odd number of negation cues: 'not unlike' cancels, 'not' alone negates."""
    return len(NEGATION.findall(text.lower().replace("\u2019", "'"))) % 2 == 1


def _direction_clash(claim: str, sentence: str) -> bool:
    c_up, c_down = bool(UP.search(claim.lower())), bool(DOWN.search(claim.lower()))
    e_up, e_down = bool(UP.search(sentence.lower())), bool(DOWN.search(sentence.lower()))
    return (c_up and not c_down and e_down and not e_up) or (c_down and not c_up and e_up and not e_down)


def _antonym(claim: str, sentence: str) -> bool:
    """The claim uses a word whose opposite the evidence uses instead."""
    c, e = set(_TOKEN.findall(claim)), set(_TOKEN.findall(sentence))
    return any((a in c and b in e and b not in c and a not in e) or (b in c and a in e and a not in c and b not in e)
               for a, b in ANTONYMS)
