"""Memory operations the phases call: index evidence, store a transcript, search and recall.

Keys are built from content (source + text hash, media sha256 + chunk index + text hash), so a
re-run finds its points already stored, embeds nothing and writes nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autointel.memory.chunking import Chunk, Passage, passage_sentences, split_documents
from autointel.memory.embeddings import Embedder
from autointel.memory.embeddings import Vectors as EmbeddingRows
from autointel.memory.vectors import EVIDENCE, EVIDENCE_SENTENCES, LARGE_BATCH, TRANSCRIPTS, Vectors
from autointel.model import Evidence, Media, MemoryWrite


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def evidence_key(source: str, text: str) -> str:
    return f"evidence\x1f{source}\x1f{text_hash(text)}"


def sentence_key(text: str) -> str:
    """A sentence's vector depends on its text alone, so one point serves every passage that contains it."""
    return f"sentence\x1f{text_hash(text)}"


def transcript_key(media_sha256: str, index: int, text: str) -> str:
    return f"transcript\x1f{media_sha256}\x1f{index}\x1f{text_hash(text)}"


def index_evidence(store: Vectors, embedder: Embedder, directory: Path, batched: bool = False) -> MemoryWrite:
    """Embed every passage of the evidence corpus into "evidence"; a re-run embeds and writes nothing."""
    passages = split_documents(directory)
    keys = [evidence_key(p.source, p.text) for p in passages]
    payloads = [{"text": p.text, "source": p.source, "kind": "evidence"} for p in passages]
    written = _write_missing(store, embedder, EVIDENCE, keys, [p.text for p in passages], payloads, batched)
    _index_sentences(store, embedder, passages, batched)
    return MemoryWrite(EVIDENCE, written, store.count(EVIDENCE))


def _index_sentences(store: Vectors, embedder: Embedder, passages: Sequence[Passage], batched: bool) -> None:
    """Embed each passage's sentences once, at indexing, instead of in every claim check that retrieves it."""
    texts = list(dict.fromkeys(s for p in passages for s in passage_sentences(p.text)))
    payloads = [{"text": t} for t in texts]
    _write_missing(store, embedder, EVIDENCE_SENTENCES, [sentence_key(t) for t in texts], texts, payloads, batched)


class IndexedSentences:
    """An `Embedder` that reads the evidence sentences' vectors `index_evidence` stored and embeds only the
    rest (the claim itself, passages from other talks, a corpus indexed before sentences were stored)."""

    def __init__(self, store: Vectors, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder

    @property
    def dim(self) -> int:
        return self._embedder.dim

    def embed(self, texts: Sequence[str]) -> EmbeddingRows:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [sentence_key(t) for t in texts]
        stored = self._store.stored_vectors(EVIDENCE_SENTENCES, keys)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in stored))
        fresh = dict(zip(missing, self._embedder.embed(missing), strict=True)) if missing else {}
        rows = [stored[k] if k in stored else fresh[t] for t, k in zip(texts, keys, strict=True)]
        return np.asarray(np.stack(rows), dtype=np.float32)


def store_transcript(
    store: Vectors, embedder: Embedder, media: Media, chunks: Sequence[Chunk], batched: bool = False
) -> MemoryWrite:
    """Embed a talk's chunks into "transcripts", tagged with the media so later runs can recall it."""
    keys = [transcript_key(media.sha256, c.index, c.text) for c in chunks]
    payloads = [
        {
            "text": c.text,
            "start_s": c.start_s,
            "end_s": c.end_s,
            "media_sha256": media.sha256,
            "title": media.title,
            "source": media.source,
            "kind": "transcript",
        }
        for c in chunks
    ]
    written = _write_missing(store, embedder, TRANSCRIPTS, keys, [c.text for c in chunks], payloads, batched)
    return MemoryWrite(TRANSCRIPTS, written, store.count(TRANSCRIPTS))


def search_evidence(
    store: Vectors,
    embedder: Embedder,
    text: str,
    limit: int = 5,
    include_transcripts_except: str | None = None,
) -> list[Evidence]:
    """Best evidence passages for `text`, optionally merged with chunks of other talks (not this sha256)."""
    if limit <= 0 or not text.strip():
        return []
    vector = embedder.embed([text])[0]
    hits = [
        (score, _evidence_source(p), str(p.get("text", "")))
        for score, p in store.search(EVIDENCE, vector, limit)
    ]
    if include_transcripts_except is not None:
        exclude = {"media_sha256": include_transcripts_except}
        hits += [
            (score, _transcript_source(p), str(p.get("text", "")))
            for score, p in store.search(TRANSCRIPTS, vector, limit, exclude=exclude)
        ]
    hits.sort(key=lambda h: (-h[0], h[1], h[2]))
    return [Evidence(text=t, source=s, score=round(score, 6)) for score, s, t in hits[:limit]]


def search_other_talks(store: Vectors, embedder: Embedder, text: str, limit: int, media_sha256: str) -> list[Evidence]:
    """The transcript passages nearest `text` from every talk in memory but this one (a batch's cross-source
    reading: what the other sources said about a claim)."""
    if limit <= 0 or not text.strip():
        return []
    hits = store.search(TRANSCRIPTS, embedder.embed([text])[0], limit, exclude={"media_sha256": media_sha256})
    return [Evidence(text=str(p.get("text", "")), source=f"{p.get('title', '')}#t={float(p.get('start_s', 0.0)):.0f}",
                     score=round(score, 6)) for score, p in hits]


def recall(store: Vectors, embedder: Embedder, query: str, limit: int) -> list[dict[str, Any]]:
    """Top transcript chunks from every talk stored so far, with where they came from."""
    if limit <= 0 or not query.strip():
        return []
    hits = store.search(TRANSCRIPTS, embedder.embed([query])[0], limit)
    return [
        {
            "text": p.get("text", ""),
            "title": p.get("title", ""),
            "source": p.get("source", ""),
            "media_sha256": p.get("media_sha256", ""),
            "start_s": p.get("start_s", 0.0),
            "end_s": p.get("end_s", 0.0),
            "score": round(score, 6),
        }
        for score, p in hits
    ]


def _write_missing(
    store: Vectors,
    embedder: Embedder,
    collection: str,
    keys: Sequence[str],
    texts: Sequence[str],
    payloads: Sequence[Mapping[str, Any]],
    batched: bool = False,
) -> int:
    """Embed and upsert only the keys not stored yet: embedding dominates the cost of a re-run.

    `batched` reuses this pre-check as the count of new points and writes in one large upsert
    instead of a check and an upsert per DEFAULT_BATCH points: fewer round trips, same points.
    """
    present = store.existing_keys(collection, keys)
    todo = [i for i, k in enumerate(keys) if k not in present]
    if not todo:
        return 0
    vectors = embedder.embed([texts[i] for i in todo])
    todo_keys, todo_payloads = [keys[i] for i in todo], [payloads[i] for i in todo]
    if batched:
        return store.upsert(collection, todo_keys, vectors, todo_payloads, batch_size=LARGE_BATCH, known_absent=True)
    return store.upsert(collection, todo_keys, vectors, todo_payloads)


def _evidence_source(payload: Mapping[str, Any]) -> str:
    return str(payload.get("source", ""))


def _transcript_source(payload: Mapping[str, Any]) -> str:
    """A media-fragment style reference ("<source>#t=12") so a reader can jump to the moment."""
    return f"{payload.get('source', '')}#t={float(payload.get('start_s', 0.0)):.0f}"
