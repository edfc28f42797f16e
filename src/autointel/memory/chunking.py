"""Cut transcripts into time chunks and evidence documents into sentence passages, deterministically.

Chunks and passages are the units we embed: a re-run must cut the same text the same way so that
their deterministic point ids match and nothing is written twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autointel.model import Segment

DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
SHORT_SENTENCE_CHARS = 60  # a sentence shorter than this is joined with the next one

# Words that end with a period without ending the sentence (compared lower-case, without the dot).
# fmt: off
ABBREVIATIONS = frozenset({
    "dr", "mr", "mrs", "ms", "prof", "sr", "jr", "st", "mt", "vs", "approx", "ca", "cf", "gen", "gov", "sen",
    "rep", "lt", "col", "capt", "sgt", "rev", "hon", "pres", "inc", "ltd", "corp", "dept", "univ", "ave",
    "blvd", "rd", "eds", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
})
# Abbreviations only when a number follows ("No. 5", "Fig. 2"); otherwise "no." ends a sentence.
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "fig", "figs", "vol", "pp", "p", "art", "sec", "ch"})
# fmt: on


@dataclass(frozen=True)
class Chunk:
    text: str
    start_s: float
    end_s: float
    index: int


@dataclass(frozen=True)
class Passage:
    text: str
    source: str
    index: int


def chunk_segments(
    segments: Sequence[Segment], target_s: float = 30.0, max_chars: int = 600
) -> tuple[Chunk, ...]:
    """Group consecutive segments into chunks of about `target_s` seconds, never splitting a segment.

    A chunk closes once it spans `target_s` or when the next segment would push it past `max_chars`;
    a single segment longer than `max_chars` becomes a chunk of its own. Blank segments are skipped.
    """
    builder = ChunkBuilder(target_s, max_chars)
    chunks = [chunk for segment in segments for chunk in builder.add(segment)]
    return (*chunks, *builder.close())


class ChunkBuilder:
    """`chunk_segments` one segment at a time: a transcript still being decoded is chunked as it grows, and a
    chunk is handed out once closed (a closed chunk never changes when later segments arrive)."""

    def __init__(self, target_s: float = 30.0, max_chars: int = 600) -> None:
        if target_s <= 0 or max_chars <= 0:
            raise ValueError("target_s and max_chars must be positive")
        self._target_s, self._max_chars = target_s, max_chars
        self._texts: list[str] = []
        self._start = self._end = 0.0
        self._length = 0
        self._count = 0

    def add(self, segment: Segment) -> list[Chunk]:
        """The chunks this segment closes (none, one, or two when a long segment follows a full chunk)."""
        text = _normalise_space(segment.text)
        if not text:
            return []
        closed = []
        if self._texts and self._length + 1 + len(text) > self._max_chars:
            closed += self.close()
        if not self._texts:
            self._start, self._end = segment.start_s, segment.end_s
        self._texts.append(text)
        self._length += len(text) + (1 if self._length else 0)
        self._end = max(self._end, segment.end_s)
        if self._end - self._start >= self._target_s:
            closed += self.close()
        return closed

    def close(self) -> list[Chunk]:
        """The open chunk, closed (none if it is empty)."""
        if not self._texts:
            return []
        chunk = Chunk(" ".join(self._texts), self._start, self._end, self._count)
        self._count += 1
        self._texts, self._length = [], 0
        return [chunk]


def split_documents(directory: Path) -> tuple[Passage, ...]:
    """Read every .txt/.md file under `directory` (sorted, recursive) into passages of one or two sentences.

    `source` is the file's path relative to `directory` (POSIX style) so ids do not depend on where
    the corpus lives; `index` counts passages within that source.
    """
    if not directory.is_dir():
        raise ValueError(f"evidence directory not found: {directory}")
    files = sorted(
        (p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES),
        key=lambda p: p.relative_to(directory).as_posix(),
    )
    if not files:
        raise ValueError(f"no .txt or .md documents in evidence directory: {directory}")
    passages: list[Passage] = []
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        blocks = markdown_blocks(raw) if path.suffix.lower() != ".txt" else text_blocks(raw)
        source = path.relative_to(directory).as_posix()
        texts = [text for block in blocks for text in group_sentences(split_sentences(block))]
        passages.extend(Passage(text, source, i) for i, text in enumerate(texts))
    return tuple(passages)


def text_blocks(raw: str) -> list[str]:
    """Plain text: paragraphs separated by blank lines, each joined into one line."""
    return [b for b in (_normalise_space(p) for p in re.split(r"\n\s*\n", raw)) if b]


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_INLINE = (
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link -> its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link -> its text
    (re.compile(r"<[^>\n]+>"), ""),  # html tags
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
)


def markdown_blocks(raw: str) -> list[str]:
    """Markdown: drop headings, code, rules and link definitions; one block per paragraph or list item."""
    blocks: list[list[str]] = [[]]
    lines = raw.splitlines()
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            blocks.append([])
            continue
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        is_setext_heading = bool(line.strip()) and bool(_SETEXT_UNDERLINE.match(next_line))
        if (
            in_fence
            or _HEADING.match(line)
            or is_setext_heading
            or _RULE.match(line)
            or _SETEXT_UNDERLINE.match(line)
            or _TABLE_SEPARATOR.match(line)
            or re.match(r"^\s{0,3}\[[^\]]+\]:\s", line)  # link reference definition
        ):
            blocks.append([])
            continue
        line = _QUOTE.sub("", line)
        if _LIST_ITEM.match(line):
            blocks.append([])
            line = _LIST_ITEM.sub("", line)
        if line.strip().startswith("|"):
            line = line.replace("|", " ")
        if not line.strip():
            blocks.append([])
            continue
        blocks[-1].append(line)
    out: list[str] = []
    for block in blocks:
        text = " ".join(block)
        for pattern, replacement in _INLINE:
            text = pattern.sub(replacement, text)
        text = _normalise_space(text)
        if text:
            out.append(text)
    return out


_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+")
_SENTENCE_START = re.compile(r"[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u024f]")


def passage_sentences(text: str) -> list[str]:
    """The sentences fact-checking aligns a claim with (a passage that does not split is one sentence)."""
    return split_sentences(text) or [text]


def split_sentences(text: str) -> list[str]:
    """Split at . ! ? followed by space and a capital/digit, except after abbreviations and initials.

    Decimals (3.5) and dotted words (e.g., U.S.) are safe: a boundary needs whitespace after the mark.
    """
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _SENTENCE_START.match(text, end) or _ends_with_abbreviation(
            text[start : match.start() + 1], text[end : end + 1].isdigit()
        ):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _ends_with_abbreviation(fragment: str, number_follows: bool) -> bool:
    """True when the last word before the final period is a known abbreviation, an initial or dotted."""
    if not fragment.endswith("."):
        return False
    words = fragment[:-1].split()
    if not words:
        return False
    word = words[-1].lstrip("\"'(\u201c\u2018[")
    if len(word) == 1 and word.isalpha() and word.isupper():  # an initial: "J. Smith"
        return True
    if "." in word and word.replace(".", "").isalpha():  # "U.S.", "e.g.", "a.m."
        return True
    word = word.lower()
    return word in ABBREVIATIONS or (number_follows and word in NUMBER_ABBREVIATIONS)


def group_sentences(sentences: Iterable[str]) -> list[str]:
    """One sentence per passage; a short sentence is joined with the next so no passage is a fragment."""
    passages: list[str] = []
    pending: str | None = None
    for sentence in sentences:
        if not any(c.isalnum() for c in sentence):
            continue
        if pending is not None:
            passages.append(f"{pending} {sentence}")
            pending = None
        elif len(sentence) < SHORT_SENTENCE_CHARS:
            pending = sentence
        else:
            passages.append(sentence)
    if pending is not None:
        passages.append(pending)
    return passages


def _normalise_space(text: str) -> str:
    return " ".join(text.split())
