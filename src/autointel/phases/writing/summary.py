"""An executive summary and key insights written from the transcript, within a small model's context window.

A long transcript is cut into chunks that fit (map: a short summary of each), and the partial summaries are
summarised again until one remains (reduce), which also names the insights. Only trusted sentences are read
(flagged segments never reach `sentences`), and the answer must use the transcript's own words: a summary whose
content words are mostly not in the transcript is invented and falls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autointel.llm.chat import ChatError
from autointel.phases.verification.features import content_words
from autointel.phases.writing.grounding import one_line, require_grounded, unknown_figures
from autointel.phases.writing.writer import Ask

CHUNK_WORDS = 500  # about 700 tokens: with the prompt and the answer well inside a 2,048-token window
MAX_INSIGHTS = 5
GROUNDED = 0.6  # share of the summary's content words that must be the transcript's
SYSTEM_MAP = "You summarise part of a spoken transcript. Reply with JSON: summary (at most two sentences)."
SYSTEM_REDUCE = ("You write the executive summary of a spoken transcript from notes on its parts. Reply with JSON: "
                 "summary (at most three sentences) and insights (up to five short key points, each one sentence).")
MAP_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"summary": {"type": "string"}},
                              "required": ["summary"]}
REDUCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"summary": {"type": "string"},
                   "insights": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_INSIGHTS}},
    "required": ["summary", "insights"],
}


def chunks(texts: Sequence[str], words: int = CHUNK_WORDS) -> list[str]:
    """Consecutive sentences joined into pieces of at most `words` words (a longer sentence is a piece alone)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for text in texts:
        n = len(text.split())
        if current and size + n > words:
            pieces.append(" ".join(current))
            current, size = [], 0
        current.append(text)
        size += n
    if current:
        pieces.append(" ".join(current))
    return pieces


def write_summary(ask: Ask, sentences: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """(summary, insights) of the transcript's sentences; ChatError when the model fails or invents."""
    if not sentences:
        raise ChatError("no trusted sentence to summarise")
    source = " ".join(sentences)
    source_words = content_words(source)
    notes = chunks(sentences)
    while len(notes) > 1:  # map, then reduce the notes until they fit one window
        notes = chunks([_map(ask, piece, source_words) for piece in notes])
        if len(notes) > 1 and sum(len(n.split()) for n in notes) >= sum(len(s.split()) for s in sentences):
            raise ChatError("the partial summaries do not get shorter")
    answer = ask(SYSTEM_REDUCE, f"Transcript notes:\n{notes[0]}", REDUCE_SCHEMA, 220)
    summary = _grounded(answer.get("summary"), source, source_words, 1200, "the summary")
    return summary, _insights(answer.get("insights"), source, source_words)


def _map(ask: Ask, piece: str, source_words: frozenset[str]) -> str:
    answer = ask(SYSTEM_MAP, f"Transcript part:\n{piece}", MAP_SCHEMA, 120)
    return _grounded(answer.get("summary"), piece, source_words, 800, "a partial summary")


def _grounded(value: object, source: str, source_words: frozenset[str], limit: int, what: str) -> str:
    """One line of text whose figures are all the source's and whose words mostly are; ChatError otherwise."""
    text = one_line(value, limit, what)
    invented = unknown_figures(text, source)
    if invented:
        raise ChatError(f"{what} states figures the transcript does not ({', '.join(invented[:3])})")
    require_grounded(text, source_words, GROUNDED, what)
    return text


def _insights(raw: object, source: str, source_words: frozenset[str]) -> tuple[str, ...]:
    """The insights that hold (one line, grounded, distinct); an invalid one is dropped, not the summary."""
    if not isinstance(raw, list):
        return ()
    kept: list[str] = []
    for item in raw[:MAX_INSIGHTS]:
        try:
            text = _grounded(item, source, source_words, 300, "an insight")
        except ChatError:
            continue
        if text.lower() not in {k.lower() for k in kept}:
            kept.append(text)
    return tuple(kept)
