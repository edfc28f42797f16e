"""A small, thread-safe facade over qdrant-client with deterministic point ids.

Embedded Qdrant is not thread-safe and allows one client per folder per process, so every call
goes through one lock and a busy folder becomes a `StoreBusyError` with a one-line message.
Point ids are uuid5 of a caller key, so re-running a phase overwrites instead of duplicating.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient, models

from autointel.errors import StoreBusyError

TRANSCRIPTS = "transcripts"
EVIDENCE = "evidence"
EVIDENCE_SENTENCES = "evidence_sentences"  # each evidence passage's sentences, for claim alignment
COLLECTIONS = (TRANSCRIPTS, EVIDENCE, EVIDENCE_SENTENCES)
DEFAULT_BATCH = 256
# Points per upsert for batched writes: one request per collection in practice, yet a server request stays
# well under Qdrant's default 32 MB body limit (a 384-d point is ~4 kB of JSON plus its payload).
LARGE_BATCH = 2048

# Fixed forever: changing it would orphan every point already stored.
POINT_NAMESPACE = uuid.UUID("6f0f3c2e-4a55-5b7e-9d1c-2f3a8e7b9c10")

Payload = dict[str, Any]


def point_id(key: str) -> str:
    """The deterministic Qdrant id of a caller key (same key, same id, on every run)."""
    return str(uuid.uuid5(POINT_NAMESPACE, key))


class Vectors(Protocol):
    """What the memory operations need of a vector store: a `VectorStore`, or a batch worker's handle on the
    store that one owner holds (`batch.owner`)."""

    def upsert(self, collection: str, keys: Sequence[str], vectors: npt.ArrayLike,
               payloads: Sequence[Mapping[str, Any]], batch_size: int = ..., known_absent: bool = ...) -> int: ...

    def existing_keys(self, collection: str, keys: Sequence[str]) -> frozenset[str]: ...

    def stored_vectors(self, collection: str, keys: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]: ...

    def search(self, collection: str, vector: npt.ArrayLike, limit: int = ...,
               exclude: Mapping[str, str | int | bool] | None = ...) -> list[tuple[float, Payload]]: ...

    def count(self, collection: str) -> int: ...


class VectorStore:
    """Embedded (path), server (url) or in-memory (neither) Qdrant; collections are made on first write."""

    def __init__(self, path: Path | None = None, url: str | None = None, dim: int = 384) -> None:
        if path is not None and url is not None:
            raise ValueError("give a VectorStore either a path or a url, not both")
        if dim <= 0:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.location = str(path) if path is not None else url or ":memory:"
        self._lock = threading.Lock()
        self._ready: set[str] = set()
        try:
            if path is not None:
                self._client: QdrantClient | None = QdrantClient(path=str(path))
            elif url is not None:
                self._client = QdrantClient(url=url)
            else:
                self._client = QdrantClient(location=":memory:")
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise StoreBusyError(
                    f"vector store folder {path} is in use by another process or VectorStore; "
                    "close it first, or use a Qdrant server (url=...) for concurrent access"
                ) from None
            raise

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the folder lock; safe to call twice."""
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                client.close()

    @property
    def closed(self) -> bool:
        return self._client is None

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------------------

    def upsert(
        self,
        collection: str,
        keys: Sequence[str],
        vectors: npt.ArrayLike,
        payloads: Sequence[Mapping[str, Any]],
        batch_size: int = DEFAULT_BATCH,
        known_absent: bool = False,
    ) -> int:
        """Write points keyed by `keys`; return how many ids did not exist before (0 on a re-run).

        `known_absent`: the caller has just found none of `keys` stored (`existing_keys`), so the
        per-batch existence check is skipped and every distinct key counts as new.
        """
        rows = self._as_rows(vectors)
        if not len(keys) == len(rows) == len(payloads):
            raise ValueError(
                f"keys ({len(keys)}), vectors ({len(rows)}) and payloads ({len(payloads)}) differ"
            )
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if not keys:
            return 0
        new = len(set(keys)) if known_absent else 0
        with self._lock:
            client = self._open_client()
            self._ensure_collection(client, collection)
            for lo in range(0, len(keys), batch_size):
                ids = [point_id(k) for k in keys[lo : lo + batch_size]]
                if not known_absent:
                    found = client.retrieve(collection, ids=ids, with_payload=False, with_vectors=False)
                    new += len(set(ids) - {str(p.id) for p in found})
                points = [
                    models.PointStruct(id=pid, vector=row.tolist(), payload=dict(payload))
                    for pid, row, payload in zip(
                        ids, rows[lo : lo + batch_size], payloads[lo : lo + batch_size], strict=True
                    )
                ]
                client.upsert(collection, points=points, wait=True)
        return new

    def existing_keys(self, collection: str, keys: Sequence[str]) -> frozenset[str]:
        """Which of `keys` are already stored: lets callers skip re-embedding on a re-run."""
        return frozenset(key for key, _ in self._retrieve(collection, keys, with_vectors=False))

    # -- reads -----------------------------------------------------------------------------------

    def stored_vectors(self, collection: str, keys: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """The stored vector of each of `keys` that is stored (as Qdrant keeps it: L2-normalised for cosine)."""
        found = self._retrieve(collection, keys, with_vectors=True)
        return {key: np.asarray(p.vector, dtype=np.float32) for key, p in found if p.vector is not None}

    def _retrieve(self, collection: str, keys: Sequence[str], with_vectors: bool) -> list[tuple[str, models.Record]]:
        """The stored points among `keys`, each with its key."""
        with self._lock:
            client = self._open_client()
            if not keys or not self._has_collection(client, collection):
                return []
            by_id = {point_id(k): k for k in keys}
            found = client.retrieve(collection, ids=list(by_id), with_payload=False, with_vectors=with_vectors)
        return [(by_id[str(p.id)], p) for p in found]

    def search(
        self,
        collection: str,
        vector: npt.ArrayLike,
        limit: int = 5,
        exclude: Mapping[str, str | int | bool] | None = None,
    ) -> list[tuple[float, Payload]]:
        """Nearest points as (cosine score, payload), best first; `exclude` drops payload field matches."""
        row = self._as_rows(vector)
        if len(row) != 1:
            raise ValueError("search takes one vector")
        if limit <= 0:
            return []
        query_filter = None
        if exclude:
            query_filter = models.Filter(
                must_not=[
                    models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in exclude.items()
                ]
            )
        with self._lock:
            client = self._open_client()
            if not self._has_collection(client, collection):
                return []
            response = client.query_points(
                collection, query=row[0].tolist(), limit=limit, query_filter=query_filter, with_payload=True
            )
        return [(float(p.score), dict(p.payload or {})) for p in response.points]

    def count(self, collection: str) -> int:
        """Exact number of points; 0 when the collection does not exist yet."""
        with self._lock:
            client = self._open_client()
            if not self._has_collection(client, collection):
                return 0
            return int(client.count(collection, exact=True).count)

    # -- internals (call with the lock held) -----------------------------------------------------

    def _open_client(self) -> QdrantClient:
        if self._client is None:
            raise RuntimeError(f"VectorStore at {self.location} is closed")
        return self._client

    def _has_collection(self, client: QdrantClient, collection: str) -> bool:
        if collection in self._ready:
            return True
        if client.collection_exists(collection):
            self._check_dim(client, collection)
            self._ready.add(collection)
            return True
        return False

    def _ensure_collection(self, client: QdrantClient, collection: str) -> None:
        if self._has_collection(client, collection):
            return
        client.create_collection(
            collection, vectors_config=models.VectorParams(size=self.dim, distance=models.Distance.COSINE)
        )
        self._ready.add(collection)

    def _check_dim(self, client: QdrantClient, collection: str) -> None:
        vectors = client.get_collection(collection).config.params.vectors
        size = vectors.size if isinstance(vectors, models.VectorParams) else None
        if size is not None and size != self.dim:
            raise ValueError(
                f"collection {collection!r} holds {size}-d vectors, this store expects {self.dim}-d"
            )

    def _as_rows(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        rows = np.asarray(vectors, dtype=np.float32)
        if rows.size == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        if rows.ndim != 2 or rows.shape[1] != self.dim:
            raise ValueError(f"expected vectors of width {self.dim}, got shape {rows.shape}")
        return rows
