"""Check-worthy claim spotting: sentences that state numbers, dates, named entities or comparisons.

A claim is worth checking when a reader could look it up: quantities and dates are the strongest
signal, names and comparisons weaker ones. Questions and pure opinions or proposals are skipped
because no evidence can support or contradict them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from autointel.model import Claim
from autointel.phases.analysis.entities import candidate_names, extract_entities
from autointel.phases.text import Sentence
from autointel.phases.verification.numbers import Quantity, quantities

TOP_N = 8
MIN_WORDS = 4
WEIGHTS = {"number": 1.0, "date": 0.8, "entity": 0.4, "comparison": 0.5}

_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|greater|larger|smaller|bigger|higher|lower|faster|slower|cheaper|older|newer|"
    r"longer|shorter|better|worse|increased?|increases|increasing|decreased?|decreases|decreasing|rose|"
    r"risen|rises|fell|fallen|falls|grew|grown|grows|dropped|drops|declined?|declines|doubled|tripled|"
    r"halved|jumped|surged|plunged|climbed|shrank|shrunk|reduced|cut|largest|biggest|highest|lowest|"
    r"smallest|fastest|slowest|oldest|newest|longest|shortest|greatest|worst|best|most|least|first|last|"
    r"record|only)\b"
)
# An explicit comparison ("the largest", "more workers than") is checkable without names or numbers.
_STRONG_COMPARISON = re.compile(
    r"\b(?:largest|biggest|highest|lowest|smallest|fastest|slowest|oldest|newest|longest|shortest|greatest|"
    r"worst|deadliest|richest|poorest|cheapest|busiest|first|most \w+ (?:in|of) the)\b|"
    r"\b(?:more|less|fewer|\w{3,}er) (?:\w+ ){0,3}than\b"
)
_MONTH_DAY = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)? of (?:january|february|march|april|may|june|"
    r"july|august|september|october|november|december)\b|\b(?:1[5-9]|20)\d0s\b"
)
_QUESTION_START = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|would|should|will|have|has|why|how|what|who|where|when)"
    r" (?:you|we|they|i|it|he|she|there|anyone|anybody|the|this|that)\b"
)
_NORMATIVE = re.compile(
    r"^(?:so |and |but |now |therefore |that's why |this is why )?(?:we|you|they|i|the city|the council|"
    r"everyone|people) (?:should|must|need to|ought to|have to|have got to)\b|^(?:let's|let us|please|imagine)\b"
)
_OPINION = re.compile(
    r"^(?:and |but |so |well )?(?:i think|i believe|i feel|in my opinion|i hope|i guess|personally|"
    r"it seems to me|my view is|i'm sure|i am sure)\b"
)
_HEDGE = re.compile(r"\b(?:maybe|perhaps|might|possibly|probably|could be|i suppose)\b")


class ClaimSpotter:
    """The part of claim spotting that needs no other sentence (the quantities a sentence states).

    Computed once per sentence: by the consumers that follow transcription while it still runs, or else
    at extraction (under the lock, so two consumers never both compute one sentence; a sentence takes
    microseconds). Which entities make a sentence check-worthy needs the whole talk, so that waits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, tuple[Quantity, ...]] = {}

    def spot(self, text: str) -> tuple[Quantity, ...]:
        lowered = _lowered(text)
        with self._lock:
            known = self._found.get(lowered)
            if known is None:
                known = self._found[lowered] = quantities(lowered)
        return known

    def __len__(self) -> int:
        with self._lock:
            return len(self._found)

    def __contains__(self, text: object) -> bool:
        """Whether this sentence was spotted already."""
        with self._lock:
            return isinstance(text, str) and _lowered(text) in self._found


def extract_claims(
    sentences: Sequence[Sentence], exhaustive: bool, spotter: ClaimSpotter | None = None
) -> tuple[Claim, ...]:
    """Check-worthy sentences in transcript order: all of them, or the `TOP_N` most check-worthy."""
    entities = [e for e in extract_entities(sentences) if len(e) > 1]
    spotter = spotter or ClaimSpotter()
    scored: list[tuple[float, int, Claim]] = []
    for index, sentence in enumerate(sentences):
        kinds, score = claim_kinds(sentence.text, entities, spotter)
        if kinds:
            scored.append((score, index, Claim(sentence.text, sentence.start_s, kinds)))
    if not exhaustive:
        scored = sorted(scored, key=lambda x: (-x[0], x[1]))[:TOP_N]
    return tuple(claim for _, _, claim in sorted(scored, key=lambda x: x[1]))


def _lowered(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def claim_kinds(
    text: str, entities: Sequence[str], spotter: ClaimSpotter | None = None
) -> tuple[tuple[str, ...], float]:
    """(kinds of check-worthiness, score); no kinds for questions, opinions, proposals and fragments."""
    lowered = _lowered(text)
    if len(lowered.split()) < MIN_WORDS or lowered.endswith("?") or _QUESTION_START.match(lowered):
        return (), 0.0
    if _NORMATIVE.match(lowered):
        return (), 0.0
    found = spotter.spot(text) if spotter is not None else quantities(lowered)
    kinds: list[str] = []
    if any(q.kind != "year" for q in found):
        kinds.append("number")
    if any(q.kind == "year" for q in found) or _MONTH_DAY.search(lowered):
        kinds.append("date")
    if candidate_names(text) or any(re.search(rf"(?<!\w){re.escape(e)}(?!\w)", text) for e in entities):
        kinds.append("entity")
    if _COMPARISON.search(lowered):
        kinds.append("comparison")
    strong = "comparison" in kinds and bool(_STRONG_COMPARISON.search(lowered))
    if not ({"number", "date"} & set(kinds) or {"entity", "comparison"} <= set(kinds) or strong):
        return (), 0.0
    score = sum(WEIGHTS[k] for k in kinds) + 0.3 * any(q.kind in ("percent", "money", "change") for q in found)
    if _OPINION.match(lowered):
        score *= 0.5
    if _HEDGE.search(lowered):
        score *= 0.7
    return tuple(kinds), round(score, 4)
