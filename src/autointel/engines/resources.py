"""Heavy, long-lived objects of a run (models, stores), created on first use and closed explicitly.

A `Resources` value is owned by whoever creates it: the CLI makes one per command, the harness
may share one across runs of the same data dir. It is never a module global. It also holds the
data-dir lock, so two processes cannot interleave writes to one embedded store. Graph saves queued
in the background are drained by `runner.settle_graph_write` (before a result is assembled) and by `close`.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, TypeVar, cast

from autointel.errors import InputError, StoreBusyError
from autointel.settings import Settings

# How long a run (or close) waits for a queued graph save: a save takes milliseconds, this bounds a stuck disk.
GRAPH_COMMIT_WAIT_S = 30.0

C = TypeVar("C")
T = TypeVar("T")

if TYPE_CHECKING:
    from autointel.llm.chat import Chat
    from autointel.llm.local import LocalLLM
    from autointel.llm.perf import ServerTiming
    from autointel.llm.prices import Price
    from autointel.memory.embeddings import CachingEmbedder, Embedder
    from autointel.memory.graph import CommitTicket, KnowledgeGraph
    from autointel.memory.vectors import Vectors, VectorStore
    from autointel.phases.analysis.fallacies import FallacyExemplars
    from autointel.phases.analysis.perspectives import PerspectivePrototypes
    from autointel.phases.transcription import Transcriber
    from autointel.phases.verification.decision import FactModel
    from autointel.phases.verification.nli import NLIModel


class Resources:
    def __init__(self, settings: Settings, models_from: Resources | None = None) -> None:
        """`models_from` shares another instance's loaded models and the constants derived from them (the
        fallacy exemplar and perspective prototype embeddings; read-only, thread-safe), not its stores and not its
        embedding cache: a fresh Resources embeds every input anew, as a fresh process would."""
        self.data_dir = settings.data_dir
        self.whisper_model = settings.whisper_model
        self.qdrant_url = settings.qdrant_url
        self.cpu_threads = settings.cpu_threads
        self.llm = _writing_llm(settings)
        self.llm_prices = settings.llm_prices
        self._prices: dict[str, Price] | None = None
        self._llm_timeout = (settings.llm_timeout_s, settings.llm_retries, settings.llm_slots)
        self._chat: Chat | None = None
        self._local: LocalLLM | None = None
        self._owns_local = False
        self._lock_timeout_s = settings.lock_timeout_s
        self._guard = threading.Lock()
        self._lock_file: IO[str] | None = None
        self._transcriber: Transcriber | None = None
        self._embedder: CachingEmbedder | None = None
        self._nli: NLIModel | None = None
        self._fact_model: FactModel | None = None
        self._constants: dict[Callable[[Embedder], object], object] = {}
        self._models_from: Resources | None = None
        if models_from is not None and models_from.whisper_model == self.whisper_model:
            self._transcriber = models_from.transcriber()
            self._embedder = models_from.embedder().cold_copy()
            self._nli = models_from.nli()
            self._fact_model = models_from.fact_model()
            self._models_from = models_from
        if models_from is not None and models_from.llm_prices == self.llm_prices:
            self._prices = models_from._prices
        if models_from is not None and models_from.llm == self.llm and self.llm is not None:
            self._chat = models_from.chat()  # the servers stay their owner's
            self._local = models_from._local
        self._vectors: VectorStore | None = None
        self._graph: KnowledgeGraph | None = None
        self._closed_commit: CommitTicket | None = None  # the last queued save of a closed graph

    def compatible_with(self, settings: Settings) -> bool:
        return (settings.data_dir, settings.whisper_model, settings.qdrant_url, _writing_llm(settings)) \
            == (self.data_dir, self.whisper_model, self.qdrant_url, self.llm)

    @property
    def downloads_dir(self) -> Path:
        return self.data_dir / "downloads"

    def transcriber(self) -> Transcriber:
        with self._guard:
            if self._transcriber is None:
                from autointel.phases.transcription import Transcriber

                self._transcriber = Transcriber(self.whisper_model, self.cpu_threads)
            return self._transcriber

    def embedder(self) -> CachingEmbedder:
        with self._guard:
            if self._embedder is None:
                from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder

                self._embedder = CachingEmbedder(MiniLMEmbedder(threads=self.cpu_threads))
            return self._embedder

    def nli(self) -> NLIModel:
        """The fact-check NLI model, loaded once and shared by every step (and by `models_from` users)."""
        with self._guard:
            if self._nli is None:
                from autointel.phases.verification.nli import NLIModel

                self._nli = NLIModel()
            return self._nli

    def fact_model(self) -> FactModel:
        """The fact-check decision layer, read from its file once rather than once per claim."""
        with self._guard:
            if self._fact_model is None:
                from autointel.phases.verification.decision import load_model

                self._fact_model = load_model()
            return self._fact_model

    def chat(self) -> Chat | None:
        """The model that writes the LLM parts (None: no writing LLM is configured): `local` (with no base URL,
        llama.cpp's servers are started here, once, and stopped by `close`) or an `openai/...` model."""
        with self._guard:
            if self._chat is None and self.llm is not None:
                spec, base_url = self.llm
                timeout_s, retries, slots = self._llm_timeout
                if spec != "local":
                    from autointel.llm.hosted import open_hosted

                    self._chat = open_hosted(spec, base_url, timeout_s, retries)
                    return self._chat
                from autointel.llm.local import open_local

                self.data_dir.mkdir(parents=True, exist_ok=True)
                self._local = open_local(base_url, timeout_s, retries, self.data_dir, slots, self.cpu_threads)
                self._chat, self._owns_local = self._local.chat, True
            return self._chat

    def prices(self) -> dict[str, Price]:
        """The user's LLM price table (`AUTOINTEL_LLM_PRICES`), read from its file once, not once per run."""
        with self._guard:
            if self._prices is None:
                from autointel.llm.prices import load_prices

                self._prices = load_prices(self.llm_prices)
            return self._prices

    def server_timings(self) -> dict[int, list[ServerTiming]]:
        """What the local servers' logs say of each request, per slot (empty without servers of ours)."""
        return self._local.timings() if self._local is not None else {}

    def fallacy_exemplars(self) -> FallacyExemplars:
        from autointel.phases.analysis.fallacies import FallacyExemplars

        return self._model_constant(FallacyExemplars.embedded)

    def perspective_prototypes(self) -> PerspectivePrototypes:
        from autointel.phases.analysis.perspectives import PerspectivePrototypes

        return self._model_constant(PerspectivePrototypes.embedded)

    def load_models(self) -> None:
        """Load every model and the constants embedded from them now, so that runs sharing these models
        (`models_from`) start with none of that on their clock."""
        self.transcriber()
        self.embedder()
        self.nli()
        self.fact_model()
        self.fallacy_exemplars()
        self.perspective_prototypes()
        self.chat()
        self.prices()

    def _model_constant(self, embedded: Callable[[Embedder], C]) -> C:
        """Embedded once per loaded model, like the weights: they depend on no input. Keyed by the function
        that embeds them; shared with the Resources whose models this one borrows."""
        source = self._models_from
        if source is not None:
            return source._model_constant(embedded)
        embedder = self.embedder()
        with self._guard:
            if embedded not in self._constants:
                self._constants[embedded] = embedded(embedder)
            return cast(C, self._constants[embedded])

    def vectors(self) -> Vectors:
        with self._guard:
            if self._vectors is None:
                from autointel.memory.vectors import VectorStore

                self._acquire_lock()
                path = None if self.qdrant_url else self.data_dir / "qdrant"
                self._vectors = VectorStore(path=path, url=self.qdrant_url)
            return self._vectors

    def graph(self) -> KnowledgeGraph:
        with self._guard:
            if self._graph is None:
                from autointel.memory.graph import KnowledgeGraph

                self._acquire_lock()
                self._graph = KnowledgeGraph.open(self.data_dir / "graph.json")
            return self._graph

    def update_graph(self, update: Callable[[KnowledgeGraph], T], background: bool = False) -> T:
        """Apply `update` (which upserts and calls `save()`) to the graph; with `background` its save is only
        queued (`last_graph_commit`). The one way a run writes the graph, so a batch can route it to the one
        process that owns the graph file (`batch.owner`)."""
        graph = self.graph()
        return update(graph.deferring_saves() if background else graph)

    def last_graph_commit(self) -> CommitTicket | None:
        """The last graph save queued, on the open graph or the one closed already (`runner.settle_graph_write`)."""
        with self._guard:
            return self._graph.last_commit if self._graph is not None else self._closed_commit

    def _acquire_lock(self) -> None:
        """Hold an exclusive flock on the data dir; wait up to the timeout, then fail clearly."""
        if self._lock_file is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = _open_lock_file(self.data_dir / ".lock")
        deadline = time.monotonic() + self._lock_timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise StoreBusyError(
                        f"data dir {self.data_dir} is in use by another autointel process"
                        f" (waited {self._lock_timeout_s:.0f} s)"
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def close(self) -> None:
        """Drain queued graph saves, save the graph, close the stores; the stores and the data-dir lock
        are released even if the graph cannot be written (that error is raised after)."""
        with self._guard:
            try:
                if self._graph is not None:
                    graph, self._graph = self._graph, None
                    self._closed_commit = graph.last_commit
                    if not graph.close_commits(GRAPH_COMMIT_WAIT_S):
                        raise TimeoutError(f"graph save still running after {GRAPH_COMMIT_WAIT_S:g} s")
                    graph.save()
            finally:
                if self._local is not None and self._owns_local:
                    self._local.stop()
                    self._local, self._chat = None, None
                if self._vectors is not None:
                    self._vectors.close()
                    self._vectors = None
                if self._lock_file is not None:
                    fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
                    self._lock_file.close()
                    self._lock_file = None

    def __enter__(self) -> Resources:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _writing_llm(settings: Settings) -> tuple[str, str | None] | None:
    """The LLM that writes parts of the briefing, as resources know it (None: no writing LLM)."""
    from autointel.llm.hosted import writes

    return (settings.llm, settings.llm_base_url) if settings.llm == "local" or writes(settings.llm) else None


def _open_lock_file(path: Path) -> IO[str]:
    """Open (or create) the lock file without following a symbolic link: a planted link must not make
    autointel truncate the file it points to."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise InputError(f"data dir lock {path} is a symbolic link; remove it (autointel will not follow it)") \
                from None
        raise InputError(f"data dir lock {path} cannot be opened ({exc.strerror})") from None
    return os.fdopen(fd, "r+")
