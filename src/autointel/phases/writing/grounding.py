"""Checks that a model's text comes from its source: verbatim quotes, shared words, figures that exist."""

from __future__ import annotations

import re
from collections.abc import Iterable

from autointel.llm.chat import ChatError
from autointel.phases.verification.features import content_words

_SPACE = re.compile(r"\s+")
_EDGE = "'`.,;:!?()[] "
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
QUOTE_MIN_WORDS = 3


def normalise(text: str) -> str:
    """Lower case, one space between words, no double quotes, apostrophes straightened, no edge punctuation."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    for mark in ('"', "\u201c", "\u201d"):
        text = text.replace(mark, "")
    return _SPACE.sub(" ", text.lower()).strip(_EDGE)


def find_quote(quote: str, sources: Iterable[str]) -> int | None:
    """The index of the first source that holds `quote` verbatim (case and spacing aside), else None."""
    wanted = normalise(quote)
    if len(wanted.split()) < QUOTE_MIN_WORDS:
        return None
    for index, source in enumerate(sources):
        if wanted in normalise(source):
            return index
    return None


def grounded_share(text: str, source_words: frozenset[str]) -> float:
    """The share of `text`'s content words that its source also uses (1.0 for a text without any)."""
    words = content_words(text)
    return len(words & source_words) / len(words) if words else 1.0


def require_grounded(text: str, source_words: frozenset[str], floor: float, what: str) -> None:
    share = grounded_share(text, source_words)
    if share < floor:
        raise ChatError(f"{what} uses words its source does not ({share:.0%} shared, {floor:.0%} needed)")


def unknown_figures(text: str, source: str) -> list[str]:
    """Figures in `text` that `source` never states (separators ignored), in order of appearance."""
    known = {n.replace(",", "") for n in _NUMBER.findall(source)}
    return [n for n in _NUMBER.findall(text) if n.replace(",", "") not in known]


def one_line(value: object, limit: int, what: str) -> str:
    """A non-empty single-line string of at most `limit` characters, or ChatError."""
    if not isinstance(value, str) or not value.strip():
        raise ChatError(f"{what} is empty")
    text = _SPACE.sub(" ", value).strip()
    if len(text) > limit:
        raise ChatError(f"{what} is longer than {limit} characters")
    return text
