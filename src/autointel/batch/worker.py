"""A batch worker: one Ray actor that loads the models once and runs sources one at a time with them.

Each source gets its own `BatchResources` (the worker's models, a fresh embedding cache, the owner's stores), so a
source runs exactly as `autointel run` would run it, through the same engines.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from autointel.batch.briefing import TalkClaims, cross_contradictions
from autointel.batch.owner import OwnerCalls, OwnerVectors, StoreMeter
from autointel.engines.resources import Resources
from autointel.errors import first_line
from autointel.memory.graph import CommitTicket, KnowledgeGraph
from autointel.memory.vectors import Vectors, VectorStore
from autointel.model import RunResult
from autointel.model.batch import CrossContradiction, StoreTime
from autointel.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class SourceOutcome:
    """What a worker hands back for one source: the run's result (None only when the run itself raised)."""

    source: str
    result: RunResult | None
    node: str
    worker: int
    wall_s: float
    store: StoreTime
    error: str | None = None


class BatchResources(Resources):
    """A source's resources on a worker: the worker's loaded models, and the owner's stores instead of opening
    (and locking) the data dir here."""

    def __init__(self, settings: Settings, models: Resources, owner: Any, meter: StoreMeter) -> None:
        super().__init__(settings, models_from=models)
        self._calls = OwnerCalls(owner, meter)
        self._direct: VectorStore | None = None
        self._last_commit: CommitTicket | None = None

    def vectors(self) -> Vectors:
        if self.qdrant_url is None:
            return OwnerVectors(self._calls)
        with self._guard:  # a Qdrant server takes every worker's writes itself
            if self._direct is None:
                self._direct = VectorStore(url=self.qdrant_url)
            return self._direct

    def graph(self) -> KnowledgeGraph:
        raise RuntimeError("a batch worker does not open the graph: its updates go to the store owner")

    def update_graph(self, update: Callable[[KnowledgeGraph], T], background: bool = False) -> T:
        """Applied and saved by the owner before this returns, so a queued save (`background`) is already
        durable."""
        value: T = self._calls("update_graph", update)
        with self._guard:
            self._last_commit = CommitTicket.settled(time.perf_counter())
        return value

    def last_graph_commit(self) -> CommitTicket | None:
        with self._guard:
            return self._last_commit

    def close(self) -> None:
        with self._guard:
            direct, self._direct = self._direct, None
        if direct is not None:
            direct.close()
        super().close()


class SourceWorker:
    """Run as a Ray actor (`ray.remote(SourceWorker)`)."""

    def __init__(self, settings: Settings, owner_name: str, index: int) -> None:
        # This process's edge: onnxruntime's device database goes into the data dir, as `autointel run` does.
        os.environ["XDG_CACHE_HOME"] = str(settings.data_dir / "cache")
        self._settings = settings
        import ray

        self._owner = ray.get_actor(owner_name)  # by name: a handle among the arguments would pin them
        self._index = index
        start = time.perf_counter()
        self._models = Resources(settings)
        self._models.load_models()
        self._load_s = time.perf_counter() - start

    def ready(self) -> tuple[str, float]:
        """The node this worker runs on and how long its models took to load, once they are loaded."""
        return _node_id(), self._load_s

    def process(self, source: str) -> SourceOutcome:
        from autointel.engines import run_engine

        meter = StoreMeter()
        start = time.perf_counter()
        result, error = None, None
        try:
            with BatchResources(self._settings, self._models, self._owner, meter) as resources:
                result = run_engine(source, self._settings, resources)
        except Exception as exc:  # one source's failure is its own; the batch goes on
            error = f"{type(exc).__name__}: {first_line(exc)}"
        return SourceOutcome(source, result, _node_id(), self._index, time.perf_counter() - start,
                             meter.snapshot(), error)

    def cross_check(self, talks: Sequence[TalkClaims]) -> tuple[tuple[CrossContradiction, ...], int]:
        """The batch briefing's cross-source reading, on this worker's loaded checker."""
        resources = BatchResources(self._settings, self._models, self._owner, StoreMeter())
        return cross_contradictions(talks, resources.vectors(), self._models.embedder(), self._models.nli(),
                                    self._models.fact_model())

    def close(self) -> None:
        self._models.close()


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())
