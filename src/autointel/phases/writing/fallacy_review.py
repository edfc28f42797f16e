"""The model reviews the detector's fallacy candidates (confirm or reject each) and may add ones it missed.

An added fallacy must quote the transcript verbatim, so the review can point only at what was said; its type
must be one the detector knows. Each candidate is one short call, so a failed call loses one decision, not all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autointel.llm.chat import ChatError
from autointel.model import Fallacy
from autointel.model.result import FallacyReview
from autointel.phases.analysis.fallacies import EXPLANATIONS, FALLACY_TYPES
from autointel.phases.text import Sentence
from autointel.phases.writing.grounding import find_quote, one_line
from autointel.phases.writing.summary import chunks
from autointel.phases.writing.writer import Ask

MAX_CANDIDATES = 8
MAX_ADDED = 3
ADD_CHUNKS = 2  # the additions read the first chunks of the transcript (a small model's window is short)
SYSTEM_CHECK = ("You review a sentence that a detector flagged as a logical fallacy. Reply with JSON: decision "
                "(confirm or reject) and reason (one sentence).")
SYSTEM_ADD = ("You find logical fallacies in a spoken transcript. Reply with JSON: fallacies, a list of objects "
              "with type (one of: " + ", ".join(FALLACY_TYPES) + ") and quote (copied word for word from the "
              "transcript). Reply with an empty list when there is none.")
CHECK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"decision": {"type": "string", "enum": ["confirm", "reject"]}, "reason": {"type": "string"}},
    "required": ["decision", "reason"],
}
ADD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"fallacies": {"type": "array", "maxItems": MAX_ADDED, "items": {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": list(FALLACY_TYPES)}, "quote": {"type": "string"}},
        "required": ["type", "quote"]}}},
    "required": ["fallacies"],
}


def review_fallacies(ask: Ask, candidates: Sequence[Fallacy], sentences: Sequence[Sentence]) -> FallacyReview:
    """Confirmed and rejected candidate indices, and verified additions; ChatError when no call gave an answer."""
    confirmed: list[int] = []
    rejected: list[int] = []
    failures: list[str] = []
    for index, fallacy in enumerate(candidates[:MAX_CANDIDATES]):
        try:
            keep = check_candidate(ask, fallacy)
        except ChatError as exc:
            failures.append(str(exc))
            continue
        (confirmed if keep else rejected).append(index)
    try:
        added = _additions(ask, candidates, sentences)
    except ChatError as exc:
        failures.append(str(exc))
        added = ()
    if failures and not confirmed and not rejected and not added:
        raise ChatError(failures[0])
    return FallacyReview(tuple(confirmed), tuple(rejected), added)


def check_candidate(ask: Ask, fallacy: Fallacy) -> bool:
    """True when the model confirms the candidate, False when it rejects it; ChatError otherwise."""
    user = (f"Sentence: {fallacy.quote}\nFlagged as: {fallacy.type.replace('_', ' ')} "
            f"({EXPLANATIONS.get(fallacy.type, fallacy.type)}).\nIs it really that fallacy?")
    answer = ask(SYSTEM_CHECK, user, CHECK_SCHEMA, 60)
    decision = answer.get("decision")
    if decision not in ("confirm", "reject"):
        raise ChatError(f"the decision {decision!r} is neither confirm nor reject")
    return bool(decision == "confirm")


def _additions(ask: Ask, candidates: Sequence[Fallacy], sentences: Sequence[Sentence]) -> tuple[Fallacy, ...]:
    texts = [s.text for s in sentences]
    known = {c.quote for c in candidates}
    added: list[Fallacy] = []
    for piece in chunks(texts)[:ADD_CHUNKS]:
        answer = ask(SYSTEM_ADD, f"Transcript:\n{piece}", ADD_SCHEMA, 160)
        items = answer.get("fallacies")
        if not isinstance(items, list):
            raise ChatError("fallacies is not a list")
        for item in items[:MAX_ADDED]:
            fallacy = _verified(item, sentences, known)
            if fallacy is not None and len(added) < MAX_ADDED:
                added.append(fallacy)
                known.add(fallacy.quote)
    return tuple(added)


def _verified(item: object, sentences: Sequence[Sentence], known: set[str]) -> Fallacy | None:
    """An addition whose type is known and whose quote is in one sentence of the transcript, else None."""
    if not isinstance(item, dict) or item.get("type") not in FALLACY_TYPES:
        return None
    try:
        quote = one_line(item.get("quote"), 400, "a quote")
    except ChatError:
        return None
    where = find_quote(quote, [s.text for s in sentences])
    if where is None or sentences[where].text in known:
        return None
    kind = str(item["type"])
    return Fallacy(kind, sentences[where].text, sentences[where].start_s, 0.0,
                   f"{EXPLANATIONS[kind]} (added by the LLM review)")
