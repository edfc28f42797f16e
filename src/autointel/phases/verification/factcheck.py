"""Fact-checking one claim against retrieved evidence passages.

Retrieval similarity alone cannot tell "opened in 1952" from "opened in 1968" (they embed almost
identically), so after retrieval we compare what the sentences *say*: normalised quantities,
direction of change and negation. A conflict on the same kind of quantity contradicts; an agreeing
value supports; a very similar passage with nothing to compare supports weakly; otherwise the
claim stays unverifiable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from autointel.memory.chunking import split_sentences as split_passage
from autointel.memory.embeddings import Embedder
from autointel.model import CheckedClaim, Claim, Evidence, Verdict
from autointel.phases.verification.numbers import Quantity, describe, quantities, units_compatible, values_agree

EvidenceSearch = Callable[[str, int], Sequence[Evidence]]

TOP_K = 5
KEEP = 3
RELEVANCE = 0.45  # retrieval score below this: the passage is about something else
SAME_SUBJECT = 0.5  # sentence similarity needed before a numeric/direction clash counts as a contradiction
SUPPORT_SIMILARITY = 0.8  # with nothing to compare, this close a paraphrase supports the claim

UP = re.compile(r"\b(?:increase[sd]?|increasing|rise|rises|rose|risen|grew|grow|grows|growing|higher|"
                r"doubled|tripled|expanded|climbed|jumped|surged|boosted|raised)\b")
DOWN = re.compile(r"\b(?:decrease[sd]?|decreasing|fall|falls|fell|fallen|drop|drops|dropped|declined?|declines|"
                  r"declining|shrank|shrunk|lower|halved|reduced|plunged|slumped)\b")
NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|isn't|aren't|wasn't|weren't|"
                      r"don't|doesn't|didn't|won't|hasn't|haven't|hadn't|cannot|can't)\b")


@dataclass(frozen=True)
class _Comparison:
    evidence: Evidence
    sentence: str
    similarity: float
    agree: tuple[tuple[Quantity, Quantity], ...]
    conflict: tuple[tuple[Quantity, Quantity], ...]
    direction_clash: bool
    negation_clash: bool


def check_claim(claim: Claim, search: EvidenceSearch, embedder: Embedder) -> CheckedClaim:
    """Retrieve, compare and decide: SUPPORTED, CONTRADICTED or UNVERIFIABLE with a reason."""
    found = sorted(search(claim.text, TOP_K), key=lambda e: (-e.score, e.source, e.text))
    relevant = [e for e in found if e.score >= RELEVANCE]
    if not relevant:
        top = f"{found[0].score:.2f}" if found else "none"
        return _checked(claim, Verdict.UNVERIFIABLE, 0.6, (),
                        f"no evidence passage is relevant enough (best similarity {top})")
    comparisons = _compare(claim.text, relevant[:KEEP], embedder)
    used = tuple(relevant[:KEEP])
    for c in comparisons:  # best-matching passage first
        decided = _decide(c) if c.similarity >= SAME_SUBJECT else None
        if decided is not None:
            verdict, confidence, rationale = decided
            return _checked(claim, verdict, confidence, used, rationale)
    best = comparisons[0]
    if best.similarity >= SUPPORT_SIMILARITY and not best.conflict and not best.negation_clash:
        return _checked(claim, Verdict.SUPPORTED, _confidence(best) * 0.8, used,
                        f"evidence restates the claim (similarity {best.similarity:.2f})")
    return _checked(claim, Verdict.UNVERIFIABLE, 0.5, used,
                    "related evidence found, but it neither confirms nor contradicts the claim")


def _decide(c: _Comparison) -> tuple[Verdict, float, str] | None:
    """The verdict one aligned passage supports, or None when it says nothing either way.

    Any stated value the evidence contradicts makes the claim contradicted: first measured values,
    then the year of the event ("opened in 1952"); a year that only frames a period ("doubled
    since 2015") contradicts only when nothing else could be compared.
    """
    ranked = sorted(c.conflict, key=lambda pair: _rank(pair[0]))
    decisive = [pair for pair in ranked if _rank(pair[0]) < 2]
    if decisive:
        want, got = decisive[0]
        return Verdict.CONTRADICTED, _confidence(c), f"evidence gives {describe(got)}, claim says {describe(want)}"
    if c.direction_clash:
        return Verdict.CONTRADICTED, _confidence(c) * 0.9, "evidence describes the opposite direction of change"
    if c.agree:
        values = ", ".join(dict.fromkeys(describe(e) for _, e in sorted(c.agree, key=lambda p: _rank(p[0]))))
        return Verdict.SUPPORTED, _confidence(c), f"evidence gives the same value ({values})"
    if ranked:
        want, got = ranked[0]
        rationale = f"evidence gives {describe(got)}, claim says {describe(want)}"
        return Verdict.CONTRADICTED, _confidence(c) * 0.8, rationale
    if c.negation_clash and c.similarity >= SUPPORT_SIMILARITY:
        return Verdict.CONTRADICTED, _confidence(c) * 0.8, "evidence states the negation of the claim"
    return None


def _rank(q: Quantity) -> int:
    """0 measured values, 1 event years, 2 period-framing years."""
    if q.kind != "year":
        return 0
    return 2 if q.bound == "anchor" else 1


def _compare(claim: str, passages: Sequence[Evidence], embedder: Embedder) -> list[_Comparison]:
    """Align each passage's most claim-like sentence with the claim and compare their content."""
    pieces = [(key, s) for key, e in enumerate(passages) for s in (split_passage(e.text) or [e.text])]
    vectors = embedder.embed([claim, *[s for _, s in pieces]])
    similarity = vectors[1:] @ vectors[0]
    best: dict[int, tuple[float, str]] = {}
    for (key, sentence), score in zip(pieces, similarity, strict=True):
        if key not in best or float(score) > best[key][0]:
            best[key] = (float(score), sentence)
    claim_quantities = quantities(claim)
    claim_up, claim_down = _direction(claim, claim_quantities)
    claim_negated = bool(NEGATION.search(claim.lower()))
    out: list[_Comparison] = []
    for key, (score, sentence) in sorted(best.items()):
        evidence = passages[key]
        found = quantities(evidence.text)  # values may sit in the passage's other sentence
        agree, conflict = _match(claim_quantities, found)
        lowered = sentence.lower()
        up, down = _direction(sentence, [q for q in found if _within(evidence.text.lower(), q, lowered)])
        clash = (claim_up and not claim_down and down and not up) or (claim_down and not claim_up and up and not down)
        negated = claim_negated != bool(NEGATION.search(lowered))
        out.append(_Comparison(evidence, sentence, round(score, 6), agree, conflict, clash, negated))
    return sorted(out, key=lambda c: (-c.similarity, c.evidence.source, c.evidence.text))


def _direction(text: str, found: Sequence[Quantity]) -> tuple[bool, bool]:
    """(goes up, goes down) from change words and from signed changes ("from 8,000 to 6,000")."""
    lowered = text.lower()
    up = bool(UP.search(lowered)) or any(q.kind == "change" and q.value > 0 for q in found)
    down = bool(DOWN.search(lowered)) or any(q.kind == "change" and q.value < 0 for q in found)
    return up, down


def _within(passage: str, q: Quantity, sentence: str) -> bool:
    """True when the quantity found in the whole passage lies inside the aligned sentence."""
    at = passage.find(sentence)
    return at < 0 or at <= q.start < at + len(sentence)


def _match(
    claimed: Sequence[Quantity], found: Sequence[Quantity]
) -> tuple[tuple[tuple[Quantity, Quantity], ...], tuple[tuple[Quantity, Quantity], ...]]:
    """Pairs of (claim, evidence) quantities that agree, and claim quantities that only conflict."""
    agree: list[tuple[Quantity, Quantity]] = []
    conflict: list[tuple[Quantity, Quantity]] = []
    for q in claimed:
        comparable = [e for e in found if units_compatible(q, e)]
        if not comparable:
            continue
        matching = [e for e in comparable if values_agree(q, e)]
        if matching:
            agree.append((q, matching[0]))
        else:
            conflict.append((q, comparable[0]))
    return tuple(agree), tuple(conflict)


def _confidence(c: _Comparison) -> float:
    return round(float(np.clip(0.5 + 0.5 * (c.similarity - SAME_SUBJECT) / (1 - SAME_SUBJECT), 0.5, 0.95)), 3)


def _checked(claim: Claim, verdict: Verdict, confidence: float, evidence: tuple[Evidence, ...],
             rationale: str) -> CheckedClaim:
    return CheckedClaim(claim.text, claim.start_s, claim.kinds, verdict, round(min(max(confidence, 0.0), 1.0), 3),
                        evidence, rationale)
