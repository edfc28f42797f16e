"""The seed's memory optimisations against the real stores: batched vector writes and background graph commits.

Round trips are counted by wrapping the real QdrantClient methods (they still run); the graph saves go
to real files, and failures are real ones (the graph's target path is a directory).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient

from autointel.engines import run_engine
from autointel.engines.context import RunContext
from autointel.engines.resources import Resources
from autointel.engines.runner import settle_graph_write
from autointel.memory.chunking import Chunk
from autointel.memory.embeddings import MiniLMEmbedder
from autointel.memory.graph import KnowledgeGraph, _Committer
from autointel.memory.store import index_evidence, store_transcript
from autointel.memory.vectors import COLLECTIONS, DEFAULT_BATCH, VectorStore
from autointel.model import GraphWrite, Media, MemoryWrite, RunResult
from autointel.settings import Flags
from tests.helpers import EVIDENCE, fixture_settings, talk_media

DIM = 384
CLIENT_CALLS = ("retrieve", "upsert", "count", "collection_exists", "create_collection", "get_collection")


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def client_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count calls to the real QdrantClient methods; each call still goes to the real client."""
    calls: Counter[str] = Counter()
    for name in CLIENT_CALLS:
        real = getattr(QdrantClient, name)

        def counted(self: QdrantClient, *args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(QdrantClient, name, counted)
    return calls


def _contents(path: Path) -> dict[str, list[tuple[str, Any, Any]]]:
    """Every point of every collection (id, payload, vector), read back with a fresh client."""
    client = QdrantClient(path=str(path))
    try:
        out = {}
        for name in COLLECTIONS:
            if not client.collection_exists(name):
                continue
            points, _ = client.scroll(name, limit=100_000, with_payload=True, with_vectors=True)
            out[name] = sorted((str(p.id), p.payload, p.vector) for p in points)
        return out
    finally:
        client.close()


def _chunks() -> list[Chunk]:
    texts = ["The river bridge opened in 1998.", "Ridership grew by 12 percent last year.", "Fares stay flat."]
    chunks = [Chunk(text=t, start_s=10.0 * i, end_s=10.0 * i + 9, index=i) for i, t in enumerate(texts)]
    return [*chunks, chunks[1]]  # a repeated chunk: the same key twice must count once either way


MEDIA = Media("https://example.org/talk", "talk", "local", 30.0, 1000, "ab" * 32, "/tmp/talk.wav")


def _write_all(path: Path, embedder: MiniLMEmbedder, batched: bool) -> list[MemoryWrite]:
    with VectorStore(path=path) as store:
        return [
            index_evidence(store, embedder, EVIDENCE, batched=batched),
            store_transcript(store, embedder, MEDIA, _chunks(), batched=batched),
            index_evidence(store, embedder, EVIDENCE, batched=batched),  # a re-run writes nothing
            store_transcript(store, embedder, MEDIA, _chunks(), batched=batched),
        ]


# -- batched vector writes ---------------------------------------------------------------------------------


def test_batched_writes_store_identical_points_and_counts(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    plain = _write_all(tmp_path / "plain", embedder, batched=False)
    batched = _write_all(tmp_path / "batched", embedder, batched=True)
    assert plain == batched
    assert plain[0].points_written > 0 and plain[1] == MemoryWrite("transcripts", 3, 3)
    assert [w.points_written for w in plain[2:]] == [0, 0]
    assert _contents(tmp_path / "plain") == _contents(tmp_path / "batched")


def test_batched_writes_make_fewer_round_trips(
    tmp_path: Path, embedder: MiniLMEmbedder, client_calls: Counter[str]
) -> None:
    _write_all(tmp_path / "plain", embedder, batched=False)
    plain = Counter(client_calls)
    client_calls.clear()
    _write_all(tmp_path / "batched", embedder, batched=True)
    # one per collection (evidence, its sentences, transcripts): each is under DEFAULT_BATCH
    assert client_calls["upsert"] == plain["upsert"] == 3
    assert client_calls["retrieve"] == plain["retrieve"] - 3  # no second existence check per batch
    assert sum(client_calls.values()) < sum(plain.values())


def test_large_batched_write_is_one_upsert_with_the_same_points(tmp_path: Path, client_calls: Counter[str]) -> None:
    """Past DEFAULT_BATCH points the plain path checks and writes per batch; duplicates span two batches."""
    n = DEFAULT_BATCH + 60
    keys = [f"k{i % (n - 10)}" for i in range(n)]  # the last 10 keys repeat keys of the first batch
    vectors = np.random.default_rng(7).standard_normal((n, DIM)).astype(np.float32)
    vectors[n - 10 :] = vectors[: 10]  # a repeated key carries the same point, as content keys do
    payloads = [{"key": k} for k in keys]
    counts = {}
    for name, known_absent in (("plain", False), ("batched", True)):
        client_calls.clear()
        with VectorStore(path=tmp_path / name) as store:
            batch_size = n if known_absent else DEFAULT_BATCH
            counts[name] = store.upsert("evidence", keys, vectors, payloads, batch_size, known_absent=known_absent)
        calls = (client_calls["retrieve"], client_calls["upsert"])
        assert calls == ((0, 1) if known_absent else (2, 2))
    assert counts == {"plain": n - 10, "batched": n - 10}
    assert _contents(tmp_path / "plain") == _contents(tmp_path / "batched")


# -- background graph commit: the committer and the graph ----------------------------------------------------


def _graph_file_equals_memory(graph: KnowledgeGraph) -> bool:
    """The file written in the background equals what a synchronous save of the in-memory graph writes."""
    background = graph.path.read_text(encoding="utf-8")
    graph.save()
    return background == graph.path.read_text(encoding="utf-8")


def test_background_saves_land_in_order_and_equal_the_graph(tmp_path: Path) -> None:
    graph = KnowledgeGraph.open(tmp_path / "kg.json")
    graph.upsert_node("media:m", "media")
    tickets = []
    for i in range(40):
        graph.upsert_node(f"entity:{i}", "entity", name=str(i))
        graph.upsert_edge("media:m", f"entity:{i}", "mentions", n=i)
        tickets.append(graph.save_in_background())
    assert graph.close_commits(10.0)
    assert all(t.durable and t.durable_at is not None for t in tickets)
    assert graph.last_commit is tickets[-1]
    assert KnowledgeGraph.open(graph.path).edge_count == 40
    assert _graph_file_equals_memory(graph)


def test_a_deferring_handle_shares_the_graph_and_only_queues_its_save(tmp_path: Path) -> None:
    graph = KnowledgeGraph.open(tmp_path / "kg.json")
    handle = graph.deferring_saves()
    assert handle.upsert_node("media:m", "media") and graph.node("media:m") == {"kind": "media"}
    handle.save()
    ticket = graph.last_commit
    assert ticket is not None and ticket.wait(10.0) and ticket.durable
    assert _graph_file_equals_memory(graph)


def test_committer_reports_a_failed_or_stuck_save_and_supersedes_a_queued_one() -> None:
    committer = _Committer("test-commit")
    gate, ran = threading.Event(), []

    def slow() -> None:
        gate.wait(10.0)
        ran.append("slow")

    def boom() -> None:
        ran.append("boom")
        raise OSError("disk full")

    first = committer.submit(slow)
    assert not first.wait(0.05)  # still writing: a bounded wait says so instead of hanging
    queued = [committer.submit(lambda: ran.append("superseded")), committer.submit(boom)]
    gate.set()
    assert committer.close(10.0)
    assert ran == ["slow", "boom"]  # the newer queued save replaced the older one
    assert first.durable
    assert all(t.wait(0) and not t.durable and isinstance(t.error, OSError) for t in queued)
    with pytest.raises(RuntimeError, match="closed"):
        committer.submit(slow)


def test_settle_times_out_into_an_error_not_a_hang(tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path / "data")
    with Resources(settings) as resources:
        graph = resources.graph()
        graph.upsert_node("media:m", "media")
        ctx = RunContext(source="x", settings=settings, resources=resources)
        ctx.board.graph_write = GraphWrite(1, 0, 1, 0, durable=False)
        with graph._write_lock:  # a stuck disk: the queued write cannot start
            graph.save_in_background()
            settle_graph_write(ctx, timeout_s=0.05)
        assert ctx.board.graph_write.durable is False and ctx.board.graph_write.durable_at_s is None
        assert [(e.phase, e.type) for e in ctx.errors] == [("integration", "TimeoutError")]


def test_close_drains_queued_saves(tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path / "data")
    resources = Resources(settings)
    graph = resources.graph()
    for i in range(20):
        graph.upsert_node(f"entity:{i}", "entity")
        graph.save_in_background()
    ticket = graph.last_commit
    resources.close()
    assert ticket is not None and ticket.durable  # close() returned only after the queued save finished
    assert KnowledgeGraph.open(settings.data_dir / "graph.json").node_count == 20


# -- through the engine -------------------------------------------------------------------------------------

SOURCE = "health_diet"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resources]:
    """Loaded models shared by the runs below; each run gets its own cold data dir and stores."""
    with Resources(fixture_settings(tmp_path_factory.mktemp("models"))) as shared:
        yield shared


def _run(
    data_dir: Path, flags: Flags, models: Resources, before: Callable[[Resources], None] | None = None
) -> tuple[RunResult, Resources]:
    settings = fixture_settings(data_dir, flags)
    resources = Resources(settings, models_from=models)
    if before is not None:
        before(resources)
    return run_engine(str(talk_media(SOURCE)), settings, resources), resources


def _step(result: RunResult, name: str) -> Any:
    return next(s for s in result.steps if s.name == name)


@pytest.fixture(scope="module")
def runs(models: Resources, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RunResult, Path]]:
    """One run per memory flag (and none), each on a fresh data dir, stores closed after the run."""
    out = {}
    for name, flags in (
        ("baseline", Flags()),
        ("batched", Flags(batched_vector_writes=True)),
        ("background", Flags(background_graph_commit=True)),
    ):
        data_dir = tmp_path_factory.mktemp(name)
        result, resources = _run(data_dir, flags, models)
        graph = resources.graph()
        if name == "background":
            assert _graph_file_equals_memory(graph)  # after the run's drain, before close() saves again
        resources.close()
        out[name] = (result, data_dir)
    return out


@pytest.mark.slow
def test_flags_off_and_on_write_the_same_memory(runs: dict[str, tuple[RunResult, Path]]) -> None:
    (base, base_dir), (batched, batched_dir) = runs["baseline"], runs["batched"]
    assert base.status.value == batched.status.value == "ok"
    assert base.integration is not None and batched.integration is not None
    assert base.integration.memory == batched.integration.memory
    assert _contents(base_dir / "qdrant") == _contents(batched_dir / "qdrant")
    for name in ("background", "batched"):
        graph_file = json.loads((runs[name][1] / "graph.json").read_text(encoding="utf-8"))
        assert graph_file == json.loads((base_dir / "graph.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_graph_durability_is_reported_on_the_run_clock(runs: dict[str, tuple[RunResult, Path]]) -> None:
    base, background = runs["baseline"][0], runs["background"][0]
    assert base.integration is not None and background.integration is not None
    sync, queued = base.integration.graph, background.integration.graph
    assert sync is not None and queued is not None
    assert replace(queued, durable_at_s=sync.durable_at_s) == sync  # same counts, durable in both
    assert background.status.value == "ok" and not background.errors
    step, step_bg = _step(base, "graph_build"), _step(background, "graph_build")
    assert sync.durable_at_s is not None and step.start_s <= sync.durable_at_s <= step.end_s
    assert queued.durable_at_s is not None and queued.durable_at_s >= step_bg.end_s  # the step did not wait


@pytest.mark.slow
def test_a_failing_background_save_is_reported_not_raised(models: Resources, tmp_path: Path) -> None:
    def block_the_graph_file(resources: Resources) -> None:
        resources.graph()  # opened (empty) first; then the target becomes a directory, so every save fails
        (tmp_path / "graph.json").mkdir()

    result, resources = _run(tmp_path, Flags(background_graph_commit=True), models, block_the_graph_file)
    assert result.status.value == "partial" and result.briefing  # the briefing did not wait for the disk
    assert result.integration is not None and result.integration.graph is not None
    assert result.integration.graph.durable is False and result.integration.graph.durable_at_s is None
    assert [(e.phase, e.type) for e in result.errors] == [("integration", "IsADirectoryError")]
    with pytest.raises(IsADirectoryError):
        resources.close()  # close() saves once more, and says so; the stores and data-dir lock are released
    with Resources(fixture_settings(tmp_path, lock_timeout_s=0.0)) as again:
        assert again.vectors().count("transcripts") > 0
