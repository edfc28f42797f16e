"""The stores' one owner in a batch, and the workers' handles on it.

Embedded Qdrant allows one client per folder and the graph is one JSON file: neither can be shared between
processes. So one Ray actor (`StoreOwner`) holds them, with the data-dir lock, and every worker's memory and graph
writes go through it. A sync Ray actor runs one call at a time, so the writes are serialised by construction. With
`AUTOINTEL_QDRANT_URL` the workers write to the Qdrant server themselves and only the graph comes here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from autointel.engines.resources import Resources
from autointel.memory.graph import KnowledgeGraph
from autointel.memory.vectors import COLLECTIONS, DEFAULT_BATCH, Payload
from autointel.model.batch import StoreTime
from autointel.settings import Settings

T = TypeVar("T")


class StoreOwner:
    """Run as a Ray actor (`ray.remote(StoreOwner)`); each method returns its value and its own service time, so
    a caller can tell the owner's work from the queue in front of it."""

    def __init__(self, settings: Settings) -> None:
        self._resources = Resources(settings)
        self._calls = 0
        self._busy_s = 0.0
        self._overlaps = 0  # calls that began while another was running: 0 for a sync actor
        self._running = 0
        self._state = threading.Lock()

    def open(self) -> None:
        """Take the data-dir lock and open both stores now, so a busy or unreadable data dir stops the batch
        before any source runs."""
        self._totals()

    def upsert(self, collection: str, keys: Sequence[str], vectors: npt.ArrayLike,
               payloads: Sequence[Mapping[str, Any]], batch_size: int, known_absent: bool) -> tuple[int, float]:
        return self._timed(lambda: self._resources.vectors().upsert(
            collection, keys, vectors, payloads, batch_size=batch_size, known_absent=known_absent))

    def existing_keys(self, collection: str, keys: Sequence[str]) -> tuple[frozenset[str], float]:
        return self._timed(lambda: self._resources.vectors().existing_keys(collection, keys))

    def stored_vectors(self, collection: str, keys: Sequence[str]) -> tuple[dict[str, npt.NDArray[np.float32]], float]:
        return self._timed(lambda: self._resources.vectors().stored_vectors(collection, keys))

    def search(self, collection: str, vector: npt.ArrayLike, limit: int,
               exclude: Mapping[str, str | int | bool] | None) -> tuple[list[tuple[float, Payload]], float]:
        return self._timed(lambda: self._resources.vectors().search(collection, vector, limit, exclude))

    def count(self, collection: str) -> tuple[int, float]:
        return self._timed(lambda: self._resources.vectors().count(collection))

    def update_graph(self, update: Callable[[KnowledgeGraph], T]) -> tuple[T, float]:
        """Apply a worker's graph update (its upserts and a durable save) here, where the file lives."""
        return self._timed(lambda: self._resources.update_graph(update))

    def totals(self) -> tuple[int, int, int]:
        """(points, graph nodes, graph edges) stored: what an idempotent re-run leaves unchanged."""
        points, nodes = self._totals()
        return points, nodes, self._resources.graph().edge_count

    def load(self) -> tuple[int, float, int]:
        """(calls served, seconds busy, calls that overlapped another): the owner's side of its queue."""
        with self._state:
            return self._calls, self._busy_s, self._overlaps

    def close(self) -> None:
        self._resources.close()

    def _totals(self) -> tuple[int, int]:
        vectors = self._resources.vectors() if self._resources.qdrant_url is None else None
        points = sum(vectors.count(c) for c in COLLECTIONS) if vectors is not None else 0
        return points, self._resources.graph().node_count

    def _timed(self, work: Callable[[], T]) -> tuple[T, float]:
        with self._state:
            self._overlaps += self._running > 0
            self._running += 1
        start = time.perf_counter()
        try:
            return work(), time.perf_counter() - start
        finally:
            with self._state:
                self._running -= 1
                self._calls += 1
                self._busy_s += time.perf_counter() - start


class StoreMeter:
    """One source's traffic with the owner, added up by the handles its run uses (thread-safe: steps run
    concurrently)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._service_s = 0.0
        self._round_trip_s = 0.0

    def add(self, round_trip_s: float, service_s: float) -> None:
        with self._lock:
            self._calls += 1
            self._service_s += service_s
            self._round_trip_s += round_trip_s

    def snapshot(self) -> StoreTime:
        with self._lock:
            return StoreTime(calls=self._calls, service_s=round(self._service_s, 6),
                             queued_s=round(max(self._round_trip_s - self._service_s, 0.0), 6))


class OwnerCalls:
    """Calls to the owner actor, timed into a meter."""

    def __init__(self, owner: Any, meter: StoreMeter) -> None:
        self._owner = owner  # a Ray ActorHandle of StoreOwner
        self._meter = meter

    def __call__(self, method: str, *args: Any) -> Any:
        import ray

        start = time.perf_counter()
        value, service_s = ray.get(getattr(self._owner, method).remote(*args))
        self._meter.add(time.perf_counter() - start, service_s)
        return value


class OwnerVectors:
    """A worker's vector store: the owner's, through Ray (`memory.vectors.Vectors`)."""

    def __init__(self, call: OwnerCalls) -> None:
        self._call = call

    def upsert(self, collection: str, keys: Sequence[str], vectors: npt.ArrayLike,
               payloads: Sequence[Mapping[str, Any]], batch_size: int = DEFAULT_BATCH,
               known_absent: bool = False) -> int:
        return int(self._call("upsert", collection, list(keys), vectors, [dict(p) for p in payloads],
                              batch_size, known_absent))

    def existing_keys(self, collection: str, keys: Sequence[str]) -> frozenset[str]:
        return frozenset(self._call("existing_keys", collection, list(keys)))

    def stored_vectors(self, collection: str, keys: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        return dict(self._call("stored_vectors", collection, list(keys)))

    def search(self, collection: str, vector: npt.ArrayLike, limit: int = 5,
               exclude: Mapping[str, str | int | bool] | None = None) -> list[tuple[float, Payload]]:
        return list(self._call("search", collection, vector, limit, dict(exclude) if exclude else None))

    def count(self, collection: str) -> int:
        return int(self._call("count", collection))
